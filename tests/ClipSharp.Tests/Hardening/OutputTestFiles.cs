using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ClipSharp.Tests.Hardening;

/// <summary>What the output tests make and check at run time: FIFOs, hard links, dead pids, file hashes.</summary>
static class OutputTestFiles
{
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    static extern int MkFifo(string path, uint mode);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    static extern int Link(string existing, string newPath);

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public static void MakeFifo(string path) =>
        Assert.True(MkFifo(path, 0x1A4) == 0, $"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");

    public static void MakeHardLink(string existing, string newPath) =>
        Assert.True(Link(existing, newPath) == 0, $"link {newPath} failed: errno {Marshal.GetLastPInvokeError()}");

    /// <summary>The pid of a process that has exited (a short-lived <c>true</c>).</summary>
    public static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>The kind of a path as <c>stat -c %F</c> reports it: a witness independent of the library.</summary>
    public static string StatKind(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path])
            { RedirectStandardOutput = true, UseShellExecute = false })!;
        string kind = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return kind;
    }
}
