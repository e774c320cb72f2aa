const ws = new WebSocket('ws://localhost:8003/ws/agent');

ws.onopen = () => {
  console.log('Connected');

  // 发送查询
  ws.send(
    JSON.stringify({
      type: 'streaming_query',
      query: '你好，请介绍一下你自己',
    })
  );
};

ws.onmessage = (event) => {
  const data = JSON.parse(event.data);
  console.log('Received:', data);

  if (data.type === 'stream_chunk') {
    // 处理流式内容
    console.log(data.content);
  }
};

ws.onerror = (error) => {
  console.error('WebSocket error:', error);
};

ws.onclose = () => {
  console.log('Disconnected');
};
