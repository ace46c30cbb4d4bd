using FlipGuard.Core;

namespace FlipGuard.Interop;

/// <summary>The weight-file formats FlipGuard imports and exports.</summary>
public enum WeightFormat
{
    /// <summary>A PyTorch state dict (<c>torch.save(model.state_dict())</c>, <c>.pt</c>/<c>.pth</c>).</summary>
    PyTorch,
    /// <summary>safetensors (<c>.safetensors</c>).</summary>
    SafeTensors,
    /// <summary>ONNX (<c>.onnx</c>): export writes the inference graph; import reads the initializers.</summary>
    Onnx,
}

/// <summary>Names and file extensions of <see cref="WeightFormat"/>.</summary>
public static class WeightFormats
{
    /// <summary>The format a user names on the command line (<c>pt</c>, <c>safetensors</c>, <c>onnx</c>).</summary>
    /// <exception cref="FlipGuardException">Unknown name.</exception>
    public static WeightFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "pt" or "pth" or "pytorch" => WeightFormat.PyTorch,
        "safetensors" => WeightFormat.SafeTensors,
        "onnx" => WeightFormat.Onnx,
        _ => throw new FlipGuardException($"unknown weight format '{name}'; use pt, safetensors or onnx"),
    };

    /// <summary>The format a file name's extension implies.</summary>
    /// <exception cref="FlipGuardException">The extension says nothing (pass the format explicitly).</exception>
    public static WeightFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pt" or ".pth" or ".bin" => WeightFormat.PyTorch,
        ".safetensors" => WeightFormat.SafeTensors,
        ".onnx" => WeightFormat.Onnx,
        var ext => throw new FlipGuardException($"{path}: cannot tell the format from the extension '{ext}'; pass --format pt, safetensors or onnx"),
    };

    /// <summary>The short name used in messages and JSON.</summary>
    public static string Name(this WeightFormat f) => f switch
    {
        WeightFormat.PyTorch => "pt",
        WeightFormat.SafeTensors => "safetensors",
        _ => "onnx",
    };
}
