# Seed 002's Python example client, exactly as the seed prints it. The test that runs it
# (tests/seed_clients.rs) points its URI at the hub under test, and changes nothing else.
import asyncio
import websockets
import json
import base64

async def websocket_client():
    uri = "ws://localhost:8000/api/v1/ws"
    
    async with websockets.connect(uri) as websocket:
        # 等待连接确认
        response = await websocket.recv()
        message = json.loads(response)
        session_id = message.get('session_id')
        
        # 发送文本输入
        text_message = {
            "type": "text_input",
            "session_id": session_id,
            "timestamp": "2024-01-01T12:00:00.000Z",
            "data": {
                "text": "Hello, I'm ready for the interview.",
                "context": ""
            }
        }
        
        await websocket.send(json.dumps(text_message))
        
        # 接收响应
        response = await websocket.recv()
        ai_response = json.loads(response)
        print("AI回复:", ai_response['data']['ai_response'])

# 运行客户端
asyncio.run(websocket_client())
