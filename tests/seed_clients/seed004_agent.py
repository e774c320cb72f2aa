# Seed 004's Python example client, exactly as the seed prints it. The test that runs it
# (tests/seed_clients.rs) points its URI at the hub under test, and changes nothing else.
import asyncio
import json
import websockets

async def test_websocket():
    uri = "ws://localhost:8003/ws/agent"

    async with websockets.connect(uri) as websocket:
        # 接收欢迎消息
        welcome = await websocket.recv()
        print("Received:", welcome)

        # 发送查询
        query = {
            "type": "streaming_query",
            "query": "你好，请介绍一下你自己"
        }
        await websocket.send(json.dumps(query))

        # 接收流式响应
        while True:
            try:
                response = await websocket.recv()
                data = json.loads(response)

                if data["type"] == "stream_chunk":
                    print(data["content"], end="", flush=True)
                elif data["type"] == "stream_end":
                    print("\n✓ Stream completed")
                    break

            except Exception as e:
                print(f"Error: {e}")
                break

if __name__ == "__main__":
    asyncio.run(test_websocket())
