using ClipSharp.Checkpoints;
using ClipSharp.Downloads;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Loading;

/// <summary>openai/CLIP's <c>clip.load</c>: a name or path → a verified file → its tensors → the model they
/// describe, prepared for inference. Modeling does no I/O; this is where the file comes in. Adds
/// <c>ClipModel.Load</c>.</summary>
public static class ClipLoader
{
    extension(ClipModel)
    {
        /// <summary>Loads a registry name (downloaded into <c>weights/</c> and verified on first use) or a checkpoint
        /// path (released TorchScript .pt, torch.save state dict, or .safetensors). Weights are computed in fp32 on
        /// the CPU. The file is read once; <see cref="ClipModel.Sha256"/> is the hash of exactly the bytes the
        /// weights came from.</summary>
        public static ClipModel Load(string nameOrPath, string? weightsDirectory = null,
            IProgress<DownloadProgress>? progress = null, ScalarType imageDType = ScalarType.Float32) =>
            FromFile(ModelFiles.Resolve(nameOrPath, weightsDirectory, progress), imageDType);
    }

    /// <summary>The model of a checkpoint file already on disk; a state dict that does not make a CLIP model is a
    /// <see cref="CheckpointException"/> naming the file.</summary>
    public static ClipModel FromFile(string path, ScalarType imageDType = ScalarType.Float32)
    {
        using var checkpoint = CheckpointReader.Read(path);
        ClipModel model;
        try { model = ClipModel.FromStateDict(checkpoint.Tensors, path, imageDType); }
        catch (StateDictException e) { throw new CheckpointException(e.Message, e); }
        model.SourcePath = path;
        model.Sha256 = checkpoint.Sha256;
        return model;
    }
}
