"""Fine-tuning: LoRA adapters for registered GGUF models, from the corpus and the edit log.

Needs the ``train`` extra (torch, transformers, peft); only ``engine.training.data`` is plain Python.
"""
