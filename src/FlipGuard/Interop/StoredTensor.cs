using static TorchSharp.torch;

namespace FlipGuard.Interop;

/// <summary>
/// One named tensor as a weight file holds it: element type, shape and contiguous little-endian bytes. Readers
/// produce these and writers consume them, so the formats never need torch to agree with each other.
/// </summary>
public sealed record StoredTensor(string Name, TensorDType DType, long[] Shape, byte[] Data)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as people read it, e.g. <c>[300,784]</c>.</summary>
    public string ShapeText => Format(Shape);

    /// <summary>A shape as <c>[a,b]</c>.</summary>
    public static string Format(IEnumerable<long> shape) => $"[{string.Join(",", shape)}]";

    /// <summary>Copies a torch tensor (detached, on the CPU, made contiguous) into a stored tensor.</summary>
    public static StoredTensor From(string name, Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        return new StoredTensor(name, TensorDTypes.FromScalarType(cpu.dtype), cpu.shape, cpu.bytes.ToArray());
    }

    /// <summary>Every tensor of a module's state dict, in state-dict order.</summary>
    public static IReadOnlyList<StoredTensor> FromModule(nn.Module module) =>
        module.state_dict().Select(kv => From(kv.Key, kv.Value)).ToList();
}
