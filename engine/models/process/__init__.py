"""llama.cpp in a process of its own: ``worker`` (the only code that imports llama_cpp),
``client`` (``ModelProcess``: start, call, stream, notice its death), ``model``
(``ProcessModel``, the ``ModelBackend`` the generation engine uses for a local GGUF file) and
``crash`` (signals in words). See docs in each module.
"""
