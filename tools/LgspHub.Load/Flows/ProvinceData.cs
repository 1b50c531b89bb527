using LgspHub.Contracts;
using LgspHub.Load.Scenarios;
using LgspHub.Seeding;

namespace LgspHub.Load.Flows;

/// <summary>
/// The people, parcels and cards of the hub's own seed, regenerated here from the same seed, so every
/// request names someone the agencies know: the load exercises real lookups, not 404s.
/// </summary>
public sealed class ProvinceData
{
    private readonly Dictionary<string, SyntheticCitizen> _byPersonalId;

    public ProvinceData(ProvinceRange range)
    {
        var options = new SeedOptions { Value = range.Seed, Citizens = range.To };
        var province = new SyntheticProvince(options);
        Citizens = Enumerable.Range(range.From, range.To - range.From).Select(province.Citizen).ToArray();
        _byPersonalId = Citizens.ToDictionary(c => c.PersonalId.Value);

        var reference = options.ReferenceDate;
        int Age(SyntheticCitizen c) => reference.Year - c.DateOfBirth.Year;
        var living = Citizens.Where(c => c.DateOfDeath is null).ToArray();
        CardHolders = living.Where(c => c.Card is not null).ToArray();
        Parcels = Citizens.SelectMany(c => c.Parcels.Select(p => (Owner: c, Parcel: p))).ToArray();
        Owners = Citizens.Where(c => c.Parcels.Count > 0).ToArray();
        Adults = living.Where(c => Age(c) is >= 18 and < 80).ToArray();
        Mothers = living.Where(c => c.Sex == Sex.Female && Age(c) is >= 18 and <= 45).ToArray();
        Elderly = living.Where(c => Age(c) >= 70).ToArray();
        if (CardHolders.Count == 0 || Parcels.Count == 0 || Adults.Count < 2 || Mothers.Count == 0 || Elderly.Count == 0)
            throw new ScenarioException("province", ["the citizen range is too small to hold card holders, parcel owners, mothers and elderly people; widen it"]);
    }

    public IReadOnlyList<SyntheticCitizen> Citizens { get; }
    public IReadOnlyList<SyntheticCitizen> CardHolders { get; }
    public IReadOnlyList<(SyntheticCitizen Owner, SyntheticParcel Parcel)> Parcels { get; }
    public IReadOnlyList<SyntheticCitizen> Owners { get; }
    public IReadOnlyList<SyntheticCitizen> Adults { get; }
    public IReadOnlyList<SyntheticCitizen> Mothers { get; }
    public IReadOnlyList<SyntheticCitizen> Elderly { get; }

    /// <summary>A citizen of this range by personal ID (a parcel's current owner, say), or null for one outside it.</summary>
    public SyntheticCitizen? Find(string personalId) => _byPersonalId.GetValueOrDefault(personalId);

    public static T Pick<T>(IReadOnlyList<T> items) => items[Random.Shared.Next(items.Count)];
}
