namespace FlipGuard.Interop.PyTorch;

/// <summary>A class or function a pickle names (<c>module.name</c>); only a known few are accepted.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A dictionary in pickle order (an <c>OrderedDict</c> or a plain <c>dict</c>).</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object?, object?>> Items { get; } = [];
}

/// <summary>A reference to one storage record of a PyTorch archive (<c>data/KEY</c>), from a persistent id.</summary>
internal sealed record PickleStorage(TensorDType DType, string Key, long Elements);

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view into a storage.</summary>
internal sealed record PickleTensor(PickleStorage Storage, long Offset, long[] Shape, long[] Stride);
