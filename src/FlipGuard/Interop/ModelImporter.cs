using FlipGuard.Core;
using FlipGuard.Models;
using FlipGuard.Models.Zoo;
using static TorchSharp.torch;

namespace FlipGuard.Interop;

/// <summary>
/// Brings weights trained elsewhere into a FlipGuard architecture: reads a PyTorch, safetensors or ONNX file, builds
/// the architecture (a zoo model or a description) and loads the tensors by name after checking every name and
/// shape. The result is an ordinary model; saved as a checkpoint, every command accepts it.
/// </summary>
public static class ModelImporter
{
    /// <summary>
    /// Imports <paramref name="file"/> into <paramref name="spec"/>'s architecture, or into the architecture the file's
    /// own metadata names (FlipGuard's safetensors and ONNX exports) when <paramref name="spec"/> is null.
    /// </summary>
    /// <exception cref="WeightMismatchException">The tensors do not match the architecture.</exception>
    /// <exception cref="FlipGuardException">Unreadable file, or no architecture given or stored.</exception>
    public static (nn.Module<Tensor, Tensor> Model, ImportResult Result) Import(WeightFile file, ModelSpec? spec)
    {
        TorchRuntime.EnsureInitialized();
        spec ??= InteropMetadata.Spec(file.Metadata, file.Path)
            ?? throw new FlipGuardException($"{file.Path}: the file does not say which architecture it is for; pass --arch NAME or --arch-file FILE.json");
        var model = spec.Create();
        try
        {
            var outcome = StateDictLoader.Load(model, file.Tensors, file.Path, spec.Architecture);
            model.eval();
            var result = new ImportResult(file.Path, file.Format.Name(), spec, outcome.Loaded, ModelZoo.ParameterCount(model),
                outcome.StrippedPrefix, outcome.Converted, outcome.Skipped);
            return (model, result);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}

/// <summary>What an import did: the file and format, the architecture the weights went into, and what was adapted.</summary>
public sealed record ImportResult(
    string Source, string Format, ModelSpec Model, int Tensors, long Parameters,
    string? StrippedPrefix, IReadOnlyList<string> Converted, IReadOnlyList<string> Skipped);
