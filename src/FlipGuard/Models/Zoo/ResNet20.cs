using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// ResNet-20 for 32×32 images (He et al. 2016, CIFAR variant: three stages of three basic blocks,
/// 16/32/64 channels, parameter-free zero-padded shortcuts): the paper's mid-sized convolutional model family. Its
/// forward is its <see cref="Layers"/> run in order — the stem, each block followed by its ReLU, global average pooling,
/// flatten, fc — and each block is itself an <see cref="ILayerSequence"/> that adds its (shortcut) input, so the
/// incremental sweep can follow a perturbation through both branches.
/// </summary>
public sealed class ResNet20 : nn.Module<Tensor, Tensor>, ILayerSequence
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential stages;
    private readonly Linear fc;
    private readonly nn.Module<Tensor, Tensor>[] layers; // an array, which RegisterComponents skips: the state dict stays conv1, bn1, stages.*, fc

    /// <summary>Creates ResNet-20 for images with the given channel count.</summary>
    public ResNet20(int channels, int classes) : base("resnet20")
    {
        conv1 = nn.Conv2d(channels, 16, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(16);
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        var order = new List<nn.Module<Tensor, Tensor>> { conv1, bn1, nn.ReLU() };
        int inC = 16;
        int[] widths = { 16, 32, 64 };
        for (int s = 0; s < 3; s++)
        {
            for (int b = 0; b < 3; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                var block = new BasicBlock($"layer{s + 1}_{b}", inC, widths[s], stride);
                blocks.Add(($"layer{s + 1}_{b}", block));
                order.Add(block);
                order.Add(nn.ReLU());
                inC = widths[s];
            }
        }
        stages = nn.Sequential(blocks);
        fc = nn.Linear(64, classes);
        order.AddRange([nn.AdaptiveAvgPool2d(1), nn.Flatten(), fc]);
        layers = order.ToArray();
        RegisterComponents();
    }

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

    /// <inheritdoc />
    public bool AddsInput => false;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => ILayerSequence.Run(this, input);

    /// <summary>Two 3×3 convolutions with batch norm, plus the identity (or zero-padded, subsampled) shortcut; the ReLU after the sum is the network's next layer.</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>, ILayerSequence
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;
        private readonly nn.Module<Tensor, Tensor>[] layers;
        private readonly SubsampleShortcut? shortcut;

        public BasicBlock(string name, int inC, int outC, int stride) : base(name)
        {
            conv1 = nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(outC);
            conv2 = nn.Conv2d(outC, outC, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(outC);
            if (stride != 1 || outC != inC) shortcut = new SubsampleShortcut(stride, outC - inC);
            layers = [conv1, bn1, nn.ReLU(), conv2, bn2];
            RegisterComponents();
        }

        public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

        public bool AddsInput => true;

        public SubsampleShortcut? Shortcut => shortcut;

        public override Tensor forward(Tensor input) => ILayerSequence.Run(this, input);
    }
}
