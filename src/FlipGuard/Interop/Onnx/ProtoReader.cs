namespace FlipGuard.Interop.Onnx;

/// <summary>
/// Walks the fields of one protocol-buffer message (the reading half of <see cref="ProtoWriter"/>): enough to pull
/// initializers and metadata out of an ONNX model without a protobuf library.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> data;
    private int pos;

    public ProtoReader(ReadOnlySpan<byte> data) => this.data = data;

    /// <summary>The current field's number and wire type after <see cref="Next"/>.</summary>
    public int Field { get; private set; }
    public int WireType { get; private set; }

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next()
    {
        if (pos >= data.Length) return false;
        ulong tag = Varint();
        Field = (int)(tag >> 3);
        WireType = (int)(tag & 7);
        return true;
    }

    public ulong Varint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = data[pos++];
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
        throw new FormatException("varint too long");
    }

    public ReadOnlySpan<byte> Bytes()
    {
        int n = checked((int)Varint());
        var s = data.Slice(pos, n);
        pos += n;
        return s;
    }

    public string String() => System.Text.Encoding.UTF8.GetString(Bytes());

    /// <summary>Skips the current field's value.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case 0: Varint(); break;
            case 1: pos += 8; break;
            case 2: Bytes(); break;
            case 5: pos += 4; break;
            default: throw new FormatException($"unsupported wire type {WireType}");
        }
    }

    /// <summary>Reads a repeated int64 field, packed or not, appending to <paramref name="into"/>.</summary>
    public void Int64s(List<long> into, int maxCount)
    {
        if (WireType == 2)
        {
            var inner = new ProtoReader(Bytes());
            while (inner.pos < inner.data.Length)
            {
                if (into.Count >= maxCount) throw new FormatException($"more than {maxCount:N0} integers in one field");
                into.Add((long)inner.Varint());
            }
        }
        else
        {
            if (into.Count >= maxCount) throw new FormatException($"more than {maxCount:N0} integers in one field");
            into.Add((long)Varint());
        }
    }

    /// <summary>Reads a repeated fixed-width field (float or double), packed or not, as raw little-endian bytes.</summary>
    public void Fixed(List<byte> into, int width)
    {
        if (WireType == 2) into.AddRange(Bytes().ToArray());
        else
        {
            into.AddRange(data.Slice(pos, width).ToArray());
            pos += width;
        }
    }
}
