"""公文: the year's summary, key points and reports written from the ledgers, as GB/T 9704 Word
files whose every figure traces to the records it counts."""
