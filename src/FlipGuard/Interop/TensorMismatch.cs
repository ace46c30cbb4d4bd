namespace FlipGuard.Interop;

/// <summary>
/// One tensor that differs between a weight file and the architecture it is loaded into. A null shape means the
/// tensor is absent on that side.
/// </summary>
public sealed record TensorMismatch(string Name, long[]? FileShape, string? FileDType, long[]? ModelShape, string? ModelDType)
{
    /// <inheritdoc />
    public override string ToString() => (FileShape, ModelShape) switch
    {
        (null, { } m) => $"{Name} {StoredTensor.Format(m)}",
        ({ } f, null) => $"{Name} {StoredTensor.Format(f)}",
        _ => $"{Name}: file {FileDType}{StoredTensor.Format(FileShape!)}, model {ModelDType}{StoredTensor.Format(ModelShape!)}",
    };
}
