using FlipGuard.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace FlipGuard.Training;

/// <summary>The normalised train and test tensors a run learns from and is scored on (images [N,C,H,W], labels int64 [N]).</summary>
public sealed record TrainingData(Tensor TrainImages, Tensor TrainLabels, Tensor TestImages, Tensor TestLabels)
{
    /// <summary>The splits of <paramref name="data"/>, moved to <paramref name="device"/> (left on the CPU when null).</summary>
    public static TrainingData From(LoadedDataset data, Device? device = null) => device is null || device.type == DeviceType.CPU
        ? new(data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels)
        : new(data.Train.Images.to(device), data.Train.Labels.to(device), data.Test.Images.to(device), data.Test.Labels.to(device));
}
