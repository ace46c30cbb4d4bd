using FlipGuard.Faults.Targets;

namespace FlipGuard.Tests.Faults;

/// <summary>A perfect "defense" for the test: rewrites every clean value, and says whether anything differed.</summary>
internal sealed class RestoreEverything(FlipTarget target) : IFaultRepair
{
    private readonly float[][] clean = target.Tensors.Select(t => t.ReadValues()).ToArray();
    public string Name => "restore-everything";
    public RepairReport Repair(FlipTarget t)
    {
        long changed = 0;
        for (int i = 0; i < t.Tensors.Count; i++)
        {
            float[] now = t.Tensors[i].ReadValues();
            for (int k = 0; k < now.Length; k++) if (BitConverter.SingleToInt32Bits(now[k]) != BitConverter.SingleToInt32Bits(clean[i][k])) changed++;
            using var v = TorchSharp.torch.tensor(clean[i]).reshape(t.Tensors[i].Parameter.shape);
            using (TorchSharp.torch.no_grad()) t.Tensors[i].Parameter.copy_(v);
        }
        return new RepairReport(changed > 0, changed);
    }
}
