using System.Text;

namespace FlipGuard.Interop.Onnx;

/// <summary>
/// Writes protocol-buffer messages field by field (varints, length-delimited bytes, nested messages): the small
/// part of protobuf the ONNX exporter needs, so exporting pulls in no protobuf library or generated code.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();

    public byte[] ToArray() => buffer.ToArray();

    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, 0);
        RawVarint((ulong)value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(b, value);
        buffer.Write(b);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, 2);
        RawVarint((ulong)bytes.Length);
        buffer.Write(bytes);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    private void Tag(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private void RawVarint(ulong v)
    {
        while (v >= 0x80)
        {
            buffer.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        buffer.WriteByte((byte)v);
    }
}
