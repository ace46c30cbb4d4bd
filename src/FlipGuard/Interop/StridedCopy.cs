using FlipGuard.Core;
using FlipGuard.Interop.PyTorch;

namespace FlipGuard.Interop;

/// <summary>
/// Turns a PyTorch tensor view (storage, offset, shape, strides) into contiguous bytes. State dicts usually hold
/// contiguous tensors, but tied or transposed weights share storages with offsets and strides.
/// </summary>
internal static class StridedCopy
{
    public static StoredTensor Gather(string name, PickleTensor t, byte[] storage, string source, TensorBudget budget)
    {
        int size = t.Storage.DType.Size();
        if (t.Storage.Elements < 0 || t.Storage.Elements > storage.LongLength || storage.LongLength != t.Storage.Elements * size)
            throw new FlipGuardException($"{source}: storage of tensor {name} has {storage.LongLength} bytes, expected {t.Storage.Elements * size}");
        if (t.Shape.Length != t.Stride.Length || t.Shape.Any(d => d < 0) || t.Stride.Any(s => s < 0) || t.Offset < 0)
            throw new FlipGuardException($"{source}: tensor {name} has an invalid shape or stride");
        if (t.Shape.Length > 16) throw new FlipGuardException($"{source}: tensor {name} has {t.Shape.Length} dimensions");
        long count, last;
        try
        {
            count = t.Shape.Aggregate(1L, (a, b) => checked(a * b));
            budget.Take(checked(count * size), $"tensor {name} {StoredTensor.Format(t.Shape)}");
            last = count == 0 ? 0 : checked(t.Offset + t.Shape.Zip(t.Stride, (d, s) => checked((d - 1) * s)).Aggregate(0L, (a, b) => checked(a + b)));
        }
        catch (OverflowException) { throw new FlipGuardException($"{source}: tensor {name}'s shape {StoredTensor.Format(t.Shape)} or strides overflow"); }
        if (count > 0 && last >= t.Storage.Elements)
            throw new FlipGuardException($"{source}: tensor {name} reaches past the end of its storage");
        if (count > t.Storage.Elements)
            throw new FlipGuardException($"{source}: tensor {name} {StoredTensor.Format(t.Shape)} addresses more elements than its storage holds (broadcast or overlapping strides); save contiguous tensors");
        var result = new byte[count * size];
        if (count == 0) return new StoredTensor(name, t.Storage.DType, t.Shape, result);
        if (IsContiguous(t.Shape, t.Stride))
        {
            Array.Copy(storage, t.Offset * size, result, 0, result.LongLength);
            return new StoredTensor(name, t.Storage.DType, t.Shape, result);
        }
        var index = new long[t.Shape.Length];
        for (long i = 0; i < count; i++)
        {
            long element = t.Offset;
            for (int d = 0; d < index.Length; d++) element += index[d] * t.Stride[d];
            Array.Copy(storage, element * size, result, i * size, size);
            for (int d = index.Length - 1; d >= 0; d--)
            {
                if (++index[d] < t.Shape[d]) break;
                index[d] = 0;
            }
        }
        return new StoredTensor(name, t.Storage.DType, t.Shape, result);
    }

    private static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }
}
