using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>A product over a large, cold weight matrix split in two halves computed on two threads. For a single
/// image the attention pool is four matrix–vector products over 56 MB of weights that no cache holds: one core
/// streams them at ~18 GB/s (MKL runs such a product on one thread), two at ~40 GB/s. Measured on RN50 at batch 1
/// (2 cores): the pool took 3.3 ms, most of it these products.</summary>
static class SplitProduct
{
    /// <summary>Worth it only with a second core and no autograd (inference); elsewhere the caller computes whole.
    /// </summary>
    public static bool Applies => Environment.ProcessorCount > 1 && get_num_threads() > 1 && !is_grad_enabled();

    /// <summary><paramref name="part"/>(0, h) and <paramref name="part"/>(h, count), h = count/2, computed at once
    /// and joined along <paramref name="dim"/>. Each half runs in inference mode on its own thread.</summary>
    public static Tensor Halves(long count, Func<long, long, Tensor> part, long dim)
    {
        long half = count / 2;
        Tensor? first = null, second = null;
        Parallel.Invoke(
            () => { using (inference_mode()) first = part(0, half); },
            () => { using (inference_mode()) second = part(half, count); });
        using (first)
        using (second)
            return cat([first!, second!], dim);
    }
}
