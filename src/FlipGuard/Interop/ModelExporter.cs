using FlipGuard.Checkpoints;
using FlipGuard.Core;
using FlipGuard.Interop.Onnx;
using FlipGuard.Interop.PyTorch;

namespace FlipGuard.Interop;

/// <summary>
/// Writes a FlipGuard checkpoint's weights for other tools: a PyTorch state dict (load it with
/// <c>model.load_state_dict(torch.load(path))</c>), safetensors, or an ONNX inference graph.
/// </summary>
public static class ModelExporter
{
    /// <summary>What was written.</summary>
    public sealed record ExportResult(string Checkpoint, string Output, string Format, string Architecture, int Tensors, long Bytes);

    /// <summary>Exports the checkpoint at <paramref name="checkpoint"/> to <paramref name="output"/>.</summary>
    /// <exception cref="FlipGuardException">Unreadable checkpoint, or ONNX export of an architecture without a description.</exception>
    public static ExportResult Export(string checkpoint, WeightFormat format, string output)
    {
        var (meta, model) = CheckpointFile.Load(checkpoint);
        using (model)
        {
            var tensors = StoredTensor.FromModule(model);
            switch (format)
            {
                case WeightFormat.PyTorch:
                    StateDictWriter.Write(output, tensors);
                    break;
                case WeightFormat.SafeTensors:
                    SafeTensorsFile.Write(output, tensors, InteropMetadata.From(meta, safetensors: true));
                    break;
                default:
                    OnnxExporter.Write(output, meta.Model, tensors, InteropMetadata.From(meta, safetensors: false));
                    break;
            }
            return new ExportResult(checkpoint, output, format.Name(), meta.Model.Architecture, tensors.Count, new FileInfo(output).Length);
        }
    }
}
