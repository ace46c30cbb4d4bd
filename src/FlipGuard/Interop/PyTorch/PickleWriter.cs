using System.Buffers.Binary;
using System.Text;

namespace FlipGuard.Interop.PyTorch;

/// <summary>
/// Writes the pickle (protocol 2) of a PyTorch state dict: an <c>OrderedDict</c> mapping each name to a tensor rebuilt
/// by <c>torch._utils._rebuild_tensor_v2</c> from storage record <c>data/i</c>. It is exactly what
/// <c>torch.load</c> needs, and nothing that would run code other than PyTorch's own rebuild functions.
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream output = new();

    public static byte[] StateDict(IReadOnlyList<StoredTensor> tensors)
    {
        var w = new PickleWriter();
        w.Op(0x80); w.Op(2);
        w.EmptyOrderedDict();
        w.Op((byte)'(');
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            w.String(t.Name);
            w.Global("torch._utils", "_rebuild_tensor_v2");
            w.Op((byte)'(');
            w.Op((byte)'(');
            w.String("storage");
            w.Global("torch", StorageName(t.DType));
            w.String(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.String("cpu");
            w.Int(t.Count);
            w.Op((byte)'t');
            w.Op((byte)'Q');
            w.Int(0);
            w.Tuple(t.Shape);
            w.Tuple(Strides(t.Shape));
            w.Op(0x89);
            w.EmptyOrderedDict();
            w.Op((byte)'t');
            w.Op((byte)'R');
        }
        w.Op((byte)'u');
        w.Op((byte)'.');
        return w.output.ToArray();
    }

    private static long[] Strides(long[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { stride[d] = s; s *= Math.Max(1, shape[d]); }
        return stride;
    }

    private static string StorageName(TensorDType t) => t switch
    {
        TensorDType.Float32 => "FloatStorage",
        TensorDType.Float64 => "DoubleStorage",
        TensorDType.Float16 => "HalfStorage",
        TensorDType.BFloat16 => "BFloat16Storage",
        TensorDType.Int64 => "LongStorage",
        TensorDType.Int32 => "IntStorage",
        TensorDType.Int8 => "CharStorage",
        _ => "ByteStorage",
    };

    private void Op(byte b) => output.WriteByte(b);

    private void EmptyOrderedDict()
    {
        Global("collections", "OrderedDict");
        Op((byte)')');
        Op((byte)'R');
    }

    private void Global(string module, string name)
    {
        Op((byte)'c');
        output.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private void String(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        Op((byte)'X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)bytes.Length);
        output.Write(len);
        output.Write(bytes);
    }

    private void Int(long v)
    {
        Span<byte> buf = stackalloc byte[8];
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            Op((byte)'J');
            BinaryPrimitives.WriteInt32LittleEndian(buf, (int)v);
            output.Write(buf[..4]);
        }
        else
        {
            Op(0x8a); Op(8);
            BinaryPrimitives.WriteInt64LittleEndian(buf, v);
            output.Write(buf);
        }
    }

    private void Tuple(long[] values)
    {
        Op((byte)'(');
        foreach (long v in values) Int(v);
        Op((byte)'t');
    }
}
