using System.Runtime.InteropServices;

namespace ClipSharp;

/// <summary>glibc returns every large block (an activation of many MB) to the kernel with munmap and trims the heap top
/// after each free; the next batch then page-faults the same memory back in. Keeping freed blocks in the heap makes
/// repeated inference markedly faster; peak memory is unchanged, since the blocks are reused.</summary>
public static class MemoryTuning
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;
    static bool applied;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int param, int value);

    /// <summary>Sets <c>mmap_max=0</c> and a 1 GiB trim threshold (glibc only; elsewhere a no-op). Idempotent.
    /// </summary>
    public static void Apply()
    {
        if (applied || !OperatingSystem.IsLinux()) return;
        try
        {
            Mallopt(M_MMAP_MAX, 0);
            Mallopt(M_TRIM_THRESHOLD, 1 << 30);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { } // musl: nothing to tune
        applied = true;
    }
}
