"""Reading documents into pages of words with boxes: PDF text layer, images, preprocessing, OCR."""
