using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Running;

/// <summary>
/// Picks each arrival's flow and consumer in the mix's proportions, interleaved (smooth weighted round robin,
/// as nginx balances weighted upstreams): every window of the weights' total holds each entry its share, so
/// a short run offers every flow of its mix, which a random draw leaves to chance (a 4 % flow in a 105-arrival
/// smoke run is missing about once in seventy), and two runs of a scenario offer the same sequence.
/// </summary>
internal sealed class MixPicker(IReadOnlyList<MixEntry> mix)
{
    private readonly double _total = mix.Sum(m => m.Weight);
    private readonly double[] _credit = new double[mix.Count];

    /// <summary>Called by the one loop that schedules arrivals.</summary>
    public MixEntry Next()
    {
        var chosen = 0;
        for (var i = 0; i < mix.Count; i++)
        {
            _credit[i] += mix[i].Weight;
            if (_credit[i] > _credit[chosen])
                chosen = i;
        }
        _credit[chosen] -= _total;
        return mix[chosen];
    }
}
