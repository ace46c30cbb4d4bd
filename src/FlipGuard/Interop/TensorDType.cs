using FlipGuard.Core;
using static TorchSharp.torch;

namespace FlipGuard.Interop;

/// <summary>Element types a weight file may hold; the common vocabulary of the PyTorch, safetensors and ONNX readers.</summary>
public enum TensorDType
{
    /// <summary>IEEE single precision (what FlipGuard's parameters are).</summary>
    Float32,
    /// <summary>IEEE double precision.</summary>
    Float64,
    /// <summary>IEEE half precision.</summary>
    Float16,
    /// <summary>bfloat16 (the top half of a float32).</summary>
    BFloat16,
    /// <summary>Signed 64-bit integer (batch norm's <c>num_batches_tracked</c>).</summary>
    Int64,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
}

/// <summary>Sizes, names and torch equivalents of <see cref="TensorDType"/>.</summary>
public static class TensorDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this TensorDType t) => t switch
    {
        TensorDType.Float64 or TensorDType.Int64 => 8,
        TensorDType.Float32 or TensorDType.Int32 => 4,
        TensorDType.Float16 or TensorDType.BFloat16 => 2,
        _ => 1,
    };

    /// <summary>Whether the type holds real numbers (and so may be converted to float32).</summary>
    public static bool IsFloating(this TensorDType t) => t is TensorDType.Float32 or TensorDType.Float64 or TensorDType.Float16 or TensorDType.BFloat16;

    /// <summary>Lower-case name as in FlipGuard checkpoints and messages (<c>float32</c>).</summary>
    public static string Name(this TensorDType t) => t.ToString().ToLowerInvariant();

    /// <summary>The torch scalar type.</summary>
    public static ScalarType ToScalarType(this TensorDType t) => t switch
    {
        TensorDType.Float32 => ScalarType.Float32,
        TensorDType.Float64 => ScalarType.Float64,
        TensorDType.Float16 => ScalarType.Float16,
        TensorDType.BFloat16 => ScalarType.BFloat16,
        TensorDType.Int64 => ScalarType.Int64,
        TensorDType.Int32 => ScalarType.Int32,
        TensorDType.Int8 => ScalarType.Int8,
        _ => ScalarType.Byte,
    };

    /// <summary>The FlipGuard type for a torch scalar type.</summary>
    /// <exception cref="FlipGuardException">A type the weight formats here do not carry.</exception>
    public static TensorDType FromScalarType(ScalarType t) => t switch
    {
        ScalarType.Float32 => TensorDType.Float32,
        ScalarType.Float64 => TensorDType.Float64,
        ScalarType.Float16 => TensorDType.Float16,
        ScalarType.BFloat16 => TensorDType.BFloat16,
        ScalarType.Int64 => TensorDType.Int64,
        ScalarType.Int32 => TensorDType.Int32,
        ScalarType.Int8 => TensorDType.Int8,
        ScalarType.Byte => TensorDType.UInt8,
        _ => throw new FlipGuardException($"tensors of type {t} cannot be exported"),
    };
}
