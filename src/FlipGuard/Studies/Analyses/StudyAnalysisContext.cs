using FlipGuard.Checkpoints;
using FlipGuard.Data;
using FlipGuard.Faults.Encodings;
using FlipGuard.Faults.Targets;
using FlipGuard.Studies.Results;
using FlipGuard.Workflows;
using static TorchSharp.torch;

namespace FlipGuard.Studies.Analyses;

/// <summary>
/// What an analysis gets for one model: the model (freshly loaded from its checkpoint, so an analysis may change
/// weights without affecting the next one), the evaluation data, a private folder for journals and charts that
/// survives a kill (so long analyses resume), and a progress sink.
/// </summary>
public sealed class StudyAnalysisContext
{
    private readonly Action<double, string> report;

    internal StudyAnalysisContext(StudyModel model, CheckpointMetadata metadata, nn.Module<Tensor, Tensor> network, LoadedDataset data,
        string studyDirectory, string workDirectory, Action<double, string> report)
    {
        (Model, Metadata, Network, Data, StudyDirectory, WorkDirectory, this.report) = (model, metadata, network, data, studyDirectory, workDirectory, report);
    }

    /// <summary>Which model this is.</summary>
    public StudyModel Model { get; }
    /// <summary>Its checkpoint header (weights hash, recipe, clean accuracy).</summary>
    public CheckpointMetadata Metadata { get; }
    /// <summary>The network with the checkpoint's weights.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }
    /// <summary>The study's dataset, normalised as at training time.</summary>
    public LoadedDataset Data { get; }
    /// <summary>The study folder; artifact paths are stored relative to it.</summary>
    public string StudyDirectory { get; }
    /// <summary>This (model, analysis, settings) triple's own folder, created before the analysis runs.</summary>
    public string WorkDirectory { get; }

    /// <summary>Reports progress of this analysis (fraction in [0, 1] and a short detail).</summary>
    public void Report(double fraction, string detail) => report(fraction, detail);

    /// <summary>The first <paramref name="limit"/> test samples (all of them for 0 or a limit past the end).</summary>
    public (Tensor Images, Tensor Labels) TestSamples(int limit)
    {
        var (images, labels) = (Data.Test.Images, Data.Test.Labels);
        return limit > 0 && limit < images.shape[0] ? (images.narrow(0, 0, limit), labels.narrow(0, 0, limit)) : (images, labels);
    }

    /// <summary>
    /// The model as the fault workflows take it: its flip target (stored as <paramref name="encoding"/>; int8 quantises the
    /// weights in place, so take the float32 one first), the checkpoint's identity, the first <paramref name="limit"/> test samples
    /// (see <see cref="TestSamples"/>) and the training split as attack pool.
    /// </summary>
    public ModelUnderTest UnderTest(int limit, IWeightEncoding encoding)
    {
        var (images, labels) = TestSamples(limit);
        return new ModelUnderTest(FlipTarget.Create(Network, encoding), Metadata.WeightsSha256, Metadata.Dataset, images, labels, Data.Train.Images, Data.Train.Labels);
    }

    /// <summary>An artifact for a file inside the study folder.</summary>
    public StudyArtifact Artifact(string path, string caption) => new(System.IO.Path.GetRelativePath(StudyDirectory, path), caption);
}
