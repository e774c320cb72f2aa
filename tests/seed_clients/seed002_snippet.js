// 建立WebSocket连接
const ws = new WebSocket('ws://localhost:8000/api/v1/ws');

// 连接建立后发送连接消息
ws.onopen = function() {
    const connectMsg = {
        type: 'connect',
        session_id: 'optional_session_id',
        timestamp: new Date().toISOString(),
        data: {
            interview_style: 'formal',
            client_info: {}
        }
    };
    ws.send(JSON.stringify(connectMsg));
};

// 处理接收到的消息
ws.onmessage = function(event) {
    const message = JSON.parse(event.data);
    
    switch(message.type) {
        case 'connected':
            console.log('连接成功，会话ID:', message.session_id);
            break;
        case 'ai_response':
            console.log('AI回复:', message.data.ai_response);
            break;
        case 'error':
            console.error('错误:', message.data.message);
            break;
    }
};

// 发送文本输入
function sendTextInput(text) {
    const message = {
        type: 'text_input',
        session_id: currentSessionId,
        timestamp: new Date().toISOString(),
        data: {
            text: text,
            context: ''
        }
    };
    ws.send(JSON.stringify(message));
}

// 发送音频输入
function sendAudioInput(audioBlob) {
    const reader = new FileReader();
    reader.onload = function() {
        const base64Data = reader.result.split(',')[1];
        const message = {
            type: 'audio_input',
            session_id: currentSessionId,
            timestamp: new Date().toISOString(),
            data: {
                audio_data: base64Data,
                audio_format: 'wav',
                context: ''
            }
        };
        ws.send(JSON.stringify(message));
    };
    reader.readAsDataURL(audioBlob);
}
