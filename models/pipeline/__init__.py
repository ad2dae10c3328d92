"""The CAT model pipeline: corpus, tokenizer, model, training, export, evaluation."""
