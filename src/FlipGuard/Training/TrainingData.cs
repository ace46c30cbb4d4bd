using static TorchSharp.torch;

namespace FlipGuard.Training;

/// <summary>The normalised train and test tensors a run learns from and is scored on (images [N,C,H,W], labels int64 [N]).</summary>
public sealed record TrainingData(Tensor TrainImages, Tensor TrainLabels, Tensor TestImages, Tensor TestLabels);
