"""OCR engines behind one Protocol: RapidOCR (default), PaddleOCR (local models), Tesseract."""

from docket.reading.ocr.base import OcrEngine, OcrWord
from docket.reading.ocr.paddle import PaddleOcrEngine
from docket.reading.ocr.page import ocr_page
from docket.reading.ocr.rapid import RapidOcrEngine
from docket.reading.ocr.tesseract import TesseractEngine

__all__ = ["OcrEngine", "OcrWord", "PaddleOcrEngine", "RapidOcrEngine", "TesseractEngine", "ocr_page"]
