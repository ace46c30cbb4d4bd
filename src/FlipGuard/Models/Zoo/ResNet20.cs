using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FlipGuard.Models.Zoo;

/// <summary>
/// ResNet-20 for 32×32 images (He et al. 2016, CIFAR variant: three stages of three basic blocks,
/// 16/32/64 channels, parameter-free zero-padded shortcuts): the paper's mid-sized convolutional model family.
/// </summary>
public sealed class ResNet20 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential stages;
    private readonly Linear fc;

    /// <summary>Creates ResNet-20 for images with the given channel count.</summary>
    public ResNet20(int channels, int classes) : base("resnet20")
    {
        conv1 = nn.Conv2d(channels, 16, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(16);
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inC = 16;
        int[] widths = { 16, 32, 64 };
        for (int s = 0; s < 3; s++)
        {
            for (int b = 0; b < 3; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                blocks.Add(($"layer{s + 1}_{b}", new BasicBlock($"layer{s + 1}_{b}", inC, widths[s], stride)));
                inC = widths[s];
            }
        }
        stages = nn.Sequential(blocks);
        fc = nn.Linear(64, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var x = nn.functional.relu(bn1.call(conv1.call(input)));
        using var y = stages.call(x);
        using var pooled = nn.functional.adaptive_avg_pool2d(y, 1);
        using var flat = pooled.flatten(1);
        return fc.call(flat);
    }

    /// <summary>Two 3×3 convolutions with batch norm and an identity (or zero-padded, subsampled) shortcut.</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;
        private readonly int stride, extraChannels;

        public BasicBlock(string name, int inC, int outC, int stride) : base(name)
        {
            conv1 = nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(outC);
            conv2 = nn.Conv2d(outC, outC, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(outC);
            this.stride = stride;
            extraChannels = outC - inC;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var h = nn.functional.relu(bn1.call(conv1.call(input)));
            var h2 = bn2.call(conv2.call(h));
            var shortcut = input;
            if (stride != 1 || extraChannels != 0)
            {
                var sub = input[.., .., TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
                int half = extraChannels / 2;
                shortcut = nn.functional.pad(sub, new long[] { 0, 0, 0, 0, half, extraChannels - half });
            }
            return nn.functional.relu(h2 + shortcut).MoveToOuterDisposeScope();
        }
    }
}
