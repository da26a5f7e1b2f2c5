namespace ClipSharp.Analyses;

/// <summary>A Grad-CAM request the model or inputs cannot serve (a ViT image tower, images of the wrong size); the
/// message names the model file or the input.</summary>
public sealed class GradCamException(string message) : ClipSharpException(message);
