"""Stage 4, execute: carry a plan out, on this machine or on Amazon Braket."""
