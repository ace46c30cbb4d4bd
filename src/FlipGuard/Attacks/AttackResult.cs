namespace FlipGuard.Attacks;

/// <summary>
/// The outcome of a progressive bit search over several seeds: the definition, clean and target accuracy, each
/// seed's trajectory, and the number of flips needed to reach the target — mean and sample standard deviation over
/// the seeds that reached it (<see cref="Reached"/> of them).
/// </summary>
public sealed record AttackResult(AttackDefinition Definition, double CleanAccuracy, double TargetAccuracy, IReadOnlyList<AttackTrajectory> Trajectories)
{
    /// <summary>Seeds whose attack reached the target accuracy.</summary>
    public int Reached => Trajectories.Count(t => t.FlipsToTarget is not null);
    /// <summary>Mean flips to reach the target over the seeds that reached it (NaN if none).</summary>
    public double MeanFlips => Flips().DefaultIfEmpty(double.NaN).Average();
    /// <summary>Sample standard deviation (n − 1) of the flips to target (NaN with fewer than two seeds reaching it).</summary>
    public double StdFlips
    {
        get
        {
            var f = Flips().ToArray();
            if (f.Length < 2) return double.NaN;
            double m = f.Average();
            return Math.Sqrt(f.Sum(v => (v - m) * (v - m)) / (f.Length - 1));
        }
    }
    /// <summary>Seeds read back complete from a journal.</summary>
    public int ResumedSeeds { get; init; }
    /// <summary>Wall-clock seconds this process spent.</summary>
    public double Seconds { get; init; }

    private IEnumerable<double> Flips() => Trajectories.Where(t => t.FlipsToTarget is not null).Select(t => (double)t.FlipsToTarget!.Value);
}
