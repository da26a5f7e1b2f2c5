using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClipSharp;

/// <summary>libtorch's OpenMP threads (GNU libgomp) spin for about 300,000 iterations at every barrier before they
/// sleep. On a 2-core machine shared with anything else (an image decoder, a build, a browser) a spinning thread holds
/// the core the thread it waits for needs, and every parallel op pays a scheduler tick: measured under load, the image
/// tower at batch 1 ran 5–8× slower and two prompts 10× slower than with passive waits. Fully passive waits cost a
/// futex wake per parallel region instead: two prompts (a few hundred small ops) took 22–25 ms on an idle machine. A
/// short spin (3,000 iterations, a few microseconds) catches the next op of a busy forward without holding a core:
/// 16–19 ms, and batch 1 images 5 % faster. libgomp reads its settings once, when libtorch is loaded, so they are set
/// here, as the library loads, before any tensor exists; a user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
/// </summary>
static class ThreadTuning
{
    /// <summary>Iterations a waiting libgomp thread spins before it sleeps.</summary>
    internal const string SpinCount = "3000";

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

#pragma warning disable CA2255 // a library initializer on purpose: it must run before libtorch loads
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PreferShortSpins()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null
            || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null) return;
        try
        {
            SetEnv("GOMP_SPINCOUNT", SpinCount, 0); // the native environment, which libgomp reads (not .NET's copy)
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { } // not glibc
    }
}
