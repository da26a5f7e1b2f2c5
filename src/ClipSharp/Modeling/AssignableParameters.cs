using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>A module of this library whose own parameters a loader may replace by new tensors: PyTorch's
/// <c>load_state_dict(assign=True)</c>, used to fill a model built on the meta device (shapes only) with the
/// checkpoint's tensors instead of initialising weights that are overwritten at once.</summary>
internal interface IAssignableParameters
{
    /// <summary>Makes <paramref name="value"/> the parameter <paramref name="name"/> (a direct one, not a child's).
    /// </summary>
    void Assign(string name, Parameter value);
}

/// <summary>Puts a tensor in the place of one parameter or buffer of any module the models are made of.</summary>
internal static class ParameterAssignment
{
    /// <summary>Builds on this device allocate nothing and initialise nothing.</summary>
    public static readonly Device Meta = new(DeviceType.META);

    /// <summary>Replaces <paramref name="owner"/>'s direct parameter or buffer <paramref name="name"/> by
    /// <paramref name="value"/>, which the module then owns (the setters dispose the old tensor).</summary>
    public static void Assign(nn.Module owner, string name, Tensor value)
    {
        Parameter AsParameter() => new(value, requires_grad: false);
        switch (owner, name)
        {
            case (IAssignableParameters own, _): own.Assign(name, AsParameter()); break;
            case (Conv2d c, "weight"): c.weight = AsParameter(); break;
            case (Conv2d c, "bias"): c.bias = AsParameter(); break;
            case (Linear l, "weight"): l.weight = AsParameter(); break;
            case (Linear l, "bias"): l.bias = AsParameter(); break;
            case (LayerNorm n, "weight"): n.weight = AsParameter(); break;
            case (LayerNorm n, "bias"): n.bias = AsParameter(); break;
            case (BatchNorm2d b, "weight"): b.weight = AsParameter(); break;
            case (BatchNorm2d b, "bias"): b.bias = AsParameter(); break;
            case (BatchNorm2d b, "running_mean"): b.running_mean = value; break;
            case (BatchNorm2d b, "running_var"): b.running_var = value; break;
            case (BatchNorm2d b, "num_batches_tracked"): b.num_batches_tracked = value; break;
            default:
                throw new InvalidOperationException($"No way to assign '{name}' of a {owner.GetType().Name}");
        }
    }
}
