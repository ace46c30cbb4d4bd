using FlipGuard.Faults.Targets;
using static TorchSharp.torch;

namespace FlipGuard.Workflows;

/// <summary>
/// A loaded model as every fault operation takes it: the flip target, the identity its journal and definition record,
/// the evaluation set and the attack pool. The CLI builds one from a checkpoint file and a dataset, a study from its
/// analysis context, so a sweep, attack or injection cannot be given different things depending on who runs it.
/// </summary>
/// <param name="Target">The network and its flippable tensors (int8-quantised in place when the caller asked for int8).</param>
/// <param name="WeightsSha256">SHA-256 of the checkpoint's weights: journals refuse to resume for other weights.</param>
/// <param name="Dataset">Name of the dataset the evaluation set comes from, recorded beside the weights.</param>
/// <param name="TestImages">Evaluation images (already cut to the caller's limit): accuracy and RAD are measured on them.</param>
/// <param name="TestLabels">Their labels.</param>
/// <param name="PoolImages">Images the attack draws its batches from (the training split, never the evaluation set).</param>
/// <param name="PoolLabels">Their labels.</param>
public sealed record ModelUnderTest(FlipTarget Target, string WeightsSha256, string Dataset, Tensor TestImages, Tensor TestLabels, Tensor PoolImages, Tensor PoolLabels);
