//! Built-in presets (assets/presets.toml) plus the user's own presets file.
