using System.Diagnostics;
using System.Reflection;
using static TorchSharp.torch;

namespace ClipSharp.Cli.Benchmarking;

/// <summary>What the numbers were measured on, and the matrix-multiply peak they are compared with.</summary>
public sealed record MachineInfo(string Cpu, int Cores, string Features, int TorchThreads, string Runtime,
    string TorchSharp)
{
    public static MachineInfo Current()
    {
        string[] cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        string cpu = cpuinfo.FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim()
            ?? Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? "unknown";
        var flags = cpuinfo.FirstOrDefault(l => l.StartsWith("flags"))?.Split(':', 2)[1].Split(' ') ?? [];
        string features = string.Join(" ",
            new[] { "avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile" }.Where(flags.Contains));
        string torchSharp = typeof(TorchSharp.torch).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";
        return new MachineInfo(cpu, Environment.ProcessorCount, features.Length > 0 ? features : "none detected",
            get_num_threads(),
            $".NET {Environment.Version} on {Environment.OSVersion}", torchSharp);
    }

    public bool HasBf16 => Features.Contains("avx512_bf16") || Features.Contains("amx_bf16");

    /// <summary>GFLOP/s of an n×n by n×n matrix product in <paramref name="dtype"/>: the best of several (a peak is
    /// what the machine can do; slower runs are interference).</summary>
    public static double MatmulPeak(ScalarType dtype, int n = 2048, int runs = 9)
    {
        using var _ = inference_mode();
        using var a = randn(n, n).to_type(dtype);
        using var b = randn(n, n).to_type(dtype);
        a.matmul(b).Dispose();
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / times.Min() / 1e9;
    }

    public override string ToString() =>
        $"{Cpu}, {Cores} cores ({Features}), torch threads {TorchThreads}, TorchSharp {TorchSharp}, {Runtime}";
}
