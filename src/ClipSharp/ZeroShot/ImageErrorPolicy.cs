namespace ClipSharp.ZeroShot;

/// <summary>What <see cref="ImageEncoder"/> does with an image it cannot read or decode.</summary>
public enum ImageErrorPolicy
{
    /// <summary>Stop at the first batch holding unreadable images: one <c>ImageException</c> naming each of them.
    /// </summary>
    Throw,

    /// <summary>Skip them: their failures are listed in the result, the features cover the rest.</summary>
    Collect,
}

/// <summary>An image the encoder skipped: its index among the paths given, its path and why.</summary>
public sealed record ImageFailure(int Index, string Path, string Message);
