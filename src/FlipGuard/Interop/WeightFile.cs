using FlipGuard.Core;
using FlipGuard.Interop.Onnx;
using FlipGuard.Interop.PyTorch;

namespace FlipGuard.Interop;

/// <summary>The tensors and string metadata of a weight file of any supported format.</summary>
public sealed record WeightFile(string Path, WeightFormat Format, IReadOnlyList<StoredTensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Reads <paramref name="path"/> in <paramref name="format"/> (default: from the extension).</summary>
    /// <exception cref="FlipGuardException">Missing or malformed file.</exception>
    public static WeightFile Read(string path, WeightFormat? format = null)
    {
        var f = format ?? WeightFormats.FromPath(path);
        switch (f)
        {
            case WeightFormat.PyTorch:
                return new WeightFile(path, f, StateDictReader.Read(path), new Dictionary<string, string>());
            case WeightFormat.SafeTensors:
            {
                var (tensors, metadata) = SafeTensorsFile.Read(path);
                return new WeightFile(path, f, tensors, metadata);
            }
            default:
            {
                var (tensors, metadata) = OnnxWeightsReader.Read(path);
                return new WeightFile(path, f, tensors, metadata);
            }
        }
    }
}
