using System.Buffers.Binary;
using System.Text;
using FlipGuard.Core;

namespace FlipGuard.Interop.PyTorch;

/// <summary>
/// Reads the subset of Python's pickle format that <c>torch.save(model.state_dict())</c> writes: dictionaries,
/// tuples, lists, strings, numbers and tensors rebuilt from storages. Anything that would run other Python code
/// (any class or function outside a short allow-list) is refused, so reading an untrusted file is safe.
/// </summary>
internal sealed class PickleReader
{
    private static readonly object Mark = new();
    private readonly byte[] data;
    private readonly string source;
    private int pos;
    private readonly List<object?> stack = [];
    private readonly Stack<int> marks = new();
    private readonly Dictionary<long, object?> memo = [];

    private PickleReader(byte[] data, string source) => (this.data, this.source) = (data, source);

    /// <summary>Unpickles <paramref name="data"/>; <paramref name="source"/> names the file in error messages.</summary>
    /// <exception cref="FlipGuardException">Unsupported opcode or object, or a malformed stream.</exception>
    public static object? Read(byte[] data, string source)
    {
        try { return new PickleReader(data, source).Run(); }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidCastException or InvalidOperationException or NullReferenceException or KeyNotFoundException or OverflowException or FormatException or DecoderFallbackException)
        {
            throw new FlipGuardException($"{source}: the pickled state dict is malformed ({e.GetType().Name})");
        }
    }

    private object? Run()
    {
        while (true)
        {
            byte op = data[pos++];
            switch (op)
            {
                case 0x80: pos++; break; // PROTO
                case 0x95: pos += 8; break; // FRAME
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': marks.Push(stack.Count); break; // MARK
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'K': stack.Add((long)data[pos++]); break; // BININT1
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case 0x8a: stack.Add(ReadLong(data[pos++])); break; // LONG1
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': stack.Add(Encoding.UTF8.GetString(Take((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break; // BINUNICODE
                case 0x8c: stack.Add(Encoding.UTF8.GetString(Take(data[pos++]))); break; // SHORT_BINUNICODE
                case (byte)'U': stack.Add(Encoding.ASCII.GetString(Take(data[pos++]))); break; // SHORT_BINSTRING
                case (byte)'T': stack.Add(Encoding.ASCII.GetString(Take((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break; // BINSTRING
                case (byte)'C': stack.Add(Take(data[pos++]).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': stack.Add(Take((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4))).ToArray()); break; // BINBYTES
                case (byte)')': stack.Add(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)']': stack.Add(new List<object?>()); break; // EMPTY_LIST
                case (byte)'}': stack.Add(new PickleDict()); break; // EMPTY_DICT
                case (byte)'t': stack.Add(PopMark().ToArray()); break; // TUPLE
                case 0x85: { var a = Pop(); stack.Add(new[] { a }); break; } // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'l': stack.Add(PopMark()); break; // LIST
                case (byte)'a': { var v = Pop(); ((List<object?>)Top()!).Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(); ((List<object?>)Top()!).AddRange(items); break; } // APPENDS
                case (byte)'s': { var v = Pop(); var k = Pop(); ((PickleDict)Top()!).Items.Add(new(k, v)); break; } // SETITEM
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    var dict = (PickleDict)Top()!;
                    for (int i = 0; i + 1 < items.Count; i += 2) dict.Items.Add(new(items[i], items[i + 1]));
                    break;
                }
                case (byte)'d': { var items = PopMark(); var dict = new PickleDict(); for (int i = 0; i + 1 < items.Count; i += 2) dict.Items.Add(new(items[i], items[i + 1])); stack.Add(dict); break; } // DICT
                case (byte)'q': memo[data[pos++]] = Top(); break; // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Top(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Top(); break; // MEMOIZE
                case (byte)'h': stack.Add(memo[data[pos++]]); break; // BINGET
                case (byte)'j': stack.Add(memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))]); break; // LONG_BINGET
                case (byte)'c': stack.Add(Global(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; stack.Add(Global(module, name)); break; } // STACK_GLOBAL
                case (byte)'Q': stack.Add(PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'R': { var args = (object?[])Pop()!; var func = Pop(); stack.Add(Reduce(func, args)); break; } // REDUCE
                case 0x81: { var args = (object?[])Pop()!; var cls = Pop(); stack.Add(Reduce(cls, args)); break; } // NEWOBJ
                case (byte)'b': Pop(); break; // BUILD: state (e.g. a state dict's _metadata) is not needed
                default:
                    throw new FlipGuardException($"{source}: unsupported pickle opcode 0x{op:x2} at byte {pos - 1}; FlipGuard reads state dicts saved with torch.save(model.state_dict(), path)");
            }
        }
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        var span = data.AsSpan(pos, n);
        pos += n;
        return span;
    }

    private long ReadLong(int n)
    {
        var bytes = Take(n);
        if (n > 8) throw new FlipGuardException($"{source}: an integer in the pickle is too large");
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
        if (n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0) v -= 1L << (8 * n);
        return v;
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(data, (byte)'\n', pos);
        string s = Encoding.ASCII.GetString(data, pos, end - pos);
        pos = end + 1;
        return s;
    }

    private object? Pop()
    {
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private object? Top() => stack[^1];

    private List<object?> PopMark()
    {
        int start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private PickleGlobal Global(string module, string name)
    {
        var g = new PickleGlobal(module, name);
        bool allowed = (module, name) switch
        {
            ("collections", "OrderedDict") => true,
            ("torch._utils", "_rebuild_tensor_v2" or "_rebuild_parameter") => true,
            ("torch", _) when StorageType(name) is not null => true,
            _ => false,
        };
        if (!allowed)
            throw new FlipGuardException($"{source}: the file holds a Python object of type {g}, not only tensors; save the weights with torch.save(model.state_dict(), path)");
        return g;
    }

    private static TensorDType? StorageType(string name) => name switch
    {
        "FloatStorage" => TensorDType.Float32,
        "DoubleStorage" => TensorDType.Float64,
        "HalfStorage" => TensorDType.Float16,
        "BFloat16Storage" => TensorDType.BFloat16,
        "LongStorage" => TensorDType.Int64,
        "IntStorage" => TensorDType.Int32,
        "CharStorage" => TensorDType.Int8,
        "ByteStorage" => TensorDType.UInt8,
        _ => null,
    };

    private object PersistentLoad(object? pid)
    {
        if (pid is object?[] { Length: 5 } t && t[0] is "storage" && t[1] is PickleGlobal g && StorageType(g.Name) is { } dtype && t[2] is string key && t[4] is long n)
            return new PickleStorage(dtype, key, n);
        throw new FlipGuardException($"{source}: unsupported storage reference in the pickle (FlipGuard reads CPU tensors of float or integer types)");
    }

    private object? Reduce(object? func, object?[] args)
    {
        if (func is not PickleGlobal g) throw new FlipGuardException($"{source}: malformed pickle (call of a non-function)");
        switch (g.Module, g.Name)
        {
            case ("collections", "OrderedDict"):
                var dict = new PickleDict();
                if (args.Length > 0 && args[0] is List<object?> pairs)
                    foreach (var p in pairs.OfType<object?[]>()) dict.Items.Add(new(p[0], p[1]));
                return dict;
            case ("torch._utils", "_rebuild_tensor_v2"):
                if (args.Length >= 4 && args[0] is PickleStorage s && args[1] is long offset && args[2] is object?[] size && args[3] is object?[] stride)
                    return new PickleTensor(s, offset, size.Select(Convert.ToInt64).ToArray(), stride.Select(Convert.ToInt64).ToArray());
                throw new FlipGuardException($"{source}: malformed tensor record in the pickle");
            case ("torch._utils", "_rebuild_parameter"):
                return args.Length > 0 ? args[0] : throw new FlipGuardException($"{source}: malformed parameter record in the pickle");
            default:
                throw new FlipGuardException($"{source}: the file calls {g}, which FlipGuard does not run; save the weights with torch.save(model.state_dict(), path)");
        }
    }
}
