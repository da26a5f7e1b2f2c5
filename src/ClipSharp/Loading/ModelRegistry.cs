namespace ClipSharp.Loading;

/// <summary>The OpenAI CLIP releases as plain data (open_clip's pretrained.py): name → file, SHA-256, URL, size cap.
/// Fetching and verifying them is <see cref="ModelFiles"/>'s work.</summary>
public static class ModelRegistry
{
    public const string ReleaseHost = "https://openaipublic.azureedge.net/clip/models";

    const long MiB = 1 << 20;

    // Size caps. No exact byte counts were found; what is public is the official loader's progress bar (tqdm, MiB,
    // 3 significant digits): RN50 244M, ViT-B/32 338M, ViT-L/14 890M, so those caps are that value + 0.5 MiB.
    // ViT-L/14@336px differs from ViT-L/14 only by a larger positional embedding (320 × 1024 fp16 = 0.6 MiB): 893 MiB.
    // For the others the cap is an upper bound from the parameter count (open_clip: RN101 119.69 M, RN50x4 178.30 M,
    // RN50x16 290.98 M, RN50x64 623.26 M, ViT-B/16 149.62 M) at 4 bytes each (the files are mostly fp16) + 32 MiB.
    public static IReadOnlyList<RegisteredModel> Models { get; } =
    [
        new("RN50", "afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762", "RN50.pt", 224,
            244 * MiB + MiB / 2),
        new("RN101", "8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599", "RN101.pt", 224, 489 * MiB),
        new("RN50x4", "7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd", "RN50x4.pt", 288, 713 * MiB),
        new("RN50x16", "52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa", "RN50x16.pt", 384,
            1143 * MiB),
        new("RN50x64", "be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c", "RN50x64.pt", 448,
            2410 * MiB),
        new("ViT-B/32", "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af", "ViT-B-32.pt", 224,
            338 * MiB + MiB / 2),
        new("ViT-B/16", "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f", "ViT-B-16.pt", 224,
            603 * MiB),
        new("ViT-L/14", "b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836", "ViT-L-14.pt", 224,
            890 * MiB + MiB / 2),
        new("ViT-L/14@336px", "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02", "ViT-L-14-336px.pt",
            336, 893 * MiB),
    ];

    /// <summary>The BPE merges file the tokenizer needs, published with the official code (exactly 1,356,917
    /// bytes).</summary>
    public static RegisteredModel Vocabulary { get; } =
        new("bpe", "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a",
            "bpe_simple_vocab_16e6.txt.gz", 0, 1_356_917);
    public static Uri VocabularyUrl(string? mirror = null) => mirror is null
        ? new Uri("https://github.com/openai/CLIP/raw/main/clip/bpe_simple_vocab_16e6.txt.gz")
        : new Uri($"{mirror.TrimEnd('/')}/{Vocabulary.File}");

    public static RegisteredModel? Find(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The size cap of the registered file with this SHA-256 (a model or the vocab), else null.</summary>
    public static long? MaxBytesOf(string sha256) => Models.Append(Vocabulary)
        .FirstOrDefault(m => m.Sha256.Equals(sha256, StringComparison.OrdinalIgnoreCase))?.MaxBytes;

    public static string UnknownModelMessage(string name) =>
        $"Unknown model '{name}'. Available: {string.Join(", ", Models.Select(m => m.Name))}, or a checkpoint path " +
        "(.pt or .safetensors)";
}
