//! hbmc: the public API (placeholder).
