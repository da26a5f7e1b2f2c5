namespace ClipSharp.Imaging;

/// <summary>The Pillow mode a file opens in; it decides how Pillow resizes it (palette and 1-bit: nearest;
/// with alpha: premultiplied) before the conversion to RGB.</summary>
public enum PillowMode { RGB, RGBA, L, LA, P, One, CMYK }
