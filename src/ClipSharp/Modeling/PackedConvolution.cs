using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>A folded convolution whose weight is kept in oneDNN's blocked layout, reordered once instead of on every
/// call (at batch 1 those reorders were a third of the image tower's time), with ReLU and the residual sum fused into
/// the convolution. Inputs and outputs stay ordinary channels-last tensors.
/// TorchSharp exposes neither <c>to_mkldnn</c> nor the fused convolution: the weight is packed by a two-line
/// TorchScript function compiled in-process (no Python), and the convolution is called through libtorch's C shim
/// (<c>aoti_torch_cpu_mkldnn__convolution_pointwise</c>), a C ABI that takes TorchSharp's tensor handles as they are.
/// </summary>
sealed class PackedConvolution : IDisposable
{
    readonly Tensor weight; // mkldnn layout: usable only by the shim
    readonly Tensor bias;
    readonly long padding;
    readonly long stride;

    PackedConvolution(Tensor weight, Tensor bias, long padding, long stride)
    {
        (this.weight, this.bias, this.padding, this.stride) = (weight, bias, padding, stride);
    }

    /// <summary>Off only to measure the unpacked path against this one in one process (A/B).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Packs a folded convolution (square kernel, no groups or dilation) for inputs of
    /// <paramref name="inputSize"/>² pixels in <paramref name="dtype"/>; null where this libtorch lacks the ops.
    /// </summary>
    public static PackedConvolution? TryPack(Conv2d conv, long inputSize, ScalarType dtype)
    {
        if (!Enabled || !Native.Available || conv.bias is null) return null;
        using var _ = no_grad();
        long padding = conv.padding![0], stride = conv.stride![0];
        using var dense = conv.weight!.to_type(dtype).contiguous();
        var packed = (Tensor)Native.Packer.invoke("pack", dense, padding, stride, inputSize);
        var bias = conv.bias.to_type(dtype).detach().clone();
        // Owned by this object for the model's lifetime, not by the forward pass that happened to pack them.
        return new PackedConvolution(packed.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), padding, stride);
    }

    /// <summary>relu(conv(x)).</summary>
    public Tensor Relu(Tensor x) => Native.Convolve(x, weight, bias, padding, stride, "relu");

    /// <summary>conv(x).</summary>
    public Tensor Plain(Tensor x) => Native.Convolve(x, weight, bias, padding, stride, "none");

    /// <summary>relu(conv(x) + residual) in one pass over the output, a new tensor.</summary>
    public Tensor AddRelu(Tensor x, Tensor residual) =>
        Native.ConvolveAddRelu(x, residual, weight, bias, padding, stride, inPlace: false);

    /// <summary>residual = relu(conv(x) + residual), written over <paramref name="residual"/> (no new activation:
    /// at batch 32 in layer1 that is 100 MB less at the peak). Returns a new handle to it.</summary>
    public Tensor AddReluInto(Tensor residual, Tensor x) =>
        Native.ConvolveAddRelu(x, residual, weight, bias, padding, stride, inPlace: true);

    public void Dispose()
    {
        weight.Dispose();
        bias.Dispose();
    }

    static unsafe class Native
    {
        const string Torch = "libtorch_cpu";

        [DllImport(Torch, EntryPoint = "aoti_torch_cpu_mkldnn__convolution_pointwise")]
        static extern int Pointwise(IntPtr x, IntPtr w, IntPtr* b, long* padding, long paddingLength, long* stride,
            long strideLength, long* dilation, long dilationLength, long groups, byte* attr, double** scalars,
            long scalarCount, byte** algorithm, IntPtr* result);

        [DllImport(Torch, EntryPoint = "aoti_torch_cpu_mkldnn__convolution_pointwise_binary")]
        static extern int Binary(IntPtr x, IntPtr other, IntPtr w, IntPtr* b, long* padding, long paddingLength,
            long* stride, long strideLength, long* dilation, long dilationLength, long groups, byte* binaryAttr,
            double* alpha, byte** unaryAttr, double** unaryScalars, long unaryScalarCount, byte** unaryAlgorithm,
            IntPtr* result);

        [DllImport(Torch, EntryPoint = "aoti_torch_cpu_mkldnn__convolution_pointwise_binary_")]
        static extern int BinaryInPlace(IntPtr other, IntPtr x, IntPtr w, IntPtr* b, long* padding, long paddingLength,
            long* stride, long strideLength, long* dilation, long dilationLength, long groups, byte* binaryAttr,
            double* alpha, byte** unaryAttr, double** unaryScalars, long unaryScalarCount, byte** unaryAlgorithm,
            IntPtr* result);

        /// <summary>mkldnn_reorder_conv2d_weight chooses the blocked layout the convolution will ask for at this
        /// input size (batch 1; the layout does not depend on the batch for these shapes).</summary>
        const string PackScript = """
            def pack(w: Tensor, padding: int, stride: int, size: int) -> Tensor:
                shape = [1, w.size(1), size, size]
                return torch.mkldnn_reorder_conv2d_weight(w.to_mkldnn(), [padding, padding], [stride, stride],
                                                          [1, 1], 1, shape)
            """;

        static readonly Lazy<jit.CompilationUnit> packer = new(() => jit.compile(PackScript + "\n"));
        static readonly Lazy<bool> available = new(Probe);

        public static bool Available => available.Value;
        public static jit.CompilationUnit Packer => packer.Value;

        /// <summary>The shim is in libtorch since 2.6 and oneDNN in every x86 CPU build; anything else (another
        /// platform, a CUDA build without it) keeps the plain convolution.</summary>
        static bool Probe()
        {
            try
            {
                const System.Reflection.BindingFlags flags =
                    System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static;
                foreach (var entry in new[] { nameof(Pointwise), nameof(Binary), nameof(BinaryInPlace) })
                    Marshal.Prelink(typeof(Native).GetMethod(entry, flags)!);
                return RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }

        static readonly byte[] ReluName = "relu\0"u8.ToArray(), NoneName = "none\0"u8.ToArray(),
            AddName = "add\0"u8.ToArray();

        public static Tensor Convolve(Tensor x, Tensor w, Tensor b, long pad, long step, string attr)
        {
            long* padding = stackalloc long[] { pad, pad };
            long* stride = stackalloc long[] { step, step };
            long* dilation = stackalloc long[] { 1, 1 };
            IntPtr biasHandle = b.Handle, result = IntPtr.Zero;
            fixed (byte* name = attr == "relu" ? ReluName : NoneName)
                Check(Pointwise(x.Handle, w.Handle, &biasHandle, padding, 2, stride, 2, dilation, 2, 1, name, null, 0,
                    null, &result), result);
            return Tensor.UnsafeCreateTensor(result);
        }

        public static Tensor ConvolveAddRelu(Tensor x, Tensor other, Tensor w, Tensor b, long pad, long step,
            bool inPlace)
        {
            long* padding = stackalloc long[] { pad, pad };
            long* stride = stackalloc long[] { step, step };
            long* dilation = stackalloc long[] { 1, 1 };
            IntPtr biasHandle = b.Handle, result = IntPtr.Zero;
            fixed (byte* add = AddName)
            fixed (byte* relu = ReluName)
            {
                byte* unary = relu;
                Check(inPlace
                    ? BinaryInPlace(other.Handle, x.Handle, w.Handle, &biasHandle, padding, 2, stride, 2, dilation, 2,
                        1, add, null, &unary, null, 0, null, &result)
                    : Binary(x.Handle, other.Handle, w.Handle, &biasHandle, padding, 2, stride, 2, dilation, 2, 1, add,
                        null, &unary, null, 0, null, &result), result);
            }
            return Tensor.UnsafeCreateTensor(result);
        }

        /// <summary>The shim catches libtorch's exception and prints it; the shapes were checked before, so a failure
        /// here is a bug, not a bad input.</summary>
        static void Check(int error, IntPtr result)
        {
            if (error != 0 || result == IntPtr.Zero)
                throw new InvalidOperationException("oneDNN's fused convolution failed (see the message above)");
        }
    }
}
