using LgspHub.Contracts;
using LgspHub.Messaging;
using LgspHub.Seeding;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Population;

/// <summary>Before civil status registers a birth: are the parents alive, and is the address a parent's residence?</summary>
public sealed class BirthDeclaredConsumer(PopulationDb db) : IConsumer<BirthDeclared>
{
    public async Task Consume(ConsumeContext<BirthDeclared> context)
    {
        var declared = context.Message;
        var parents = new List<(string Role, PersonalId Id)> { ("mother", declared.MotherPersonalId) };
        if (declared.FatherPersonalId is { } father)
            parents.Add(("father", father));

        var found = await db.Citizens.AsNoTracking()
            .Where(c => c.PersonalId == declared.MotherPersonalId || c.PersonalId == declared.FatherPersonalId)
            .ToDictionaryAsync(c => c.PersonalId, context.CancellationToken);

        var missing = parents.FirstOrDefault(p => !found.ContainsKey(p.Id));
        var living = found.Values.Where(parent => parent.DateOfDeath is null).ToList();
        var reason = (missing, living) switch
        {
            ({ Role: { } role }, _) => $"The {role}'s personal ID is not in the population register.",
            (_, []) => "No declared parent is alive in the population register.",
            _ when !living.Any(parent => parent.CommuneCode == declared.Residence.CommuneCode) =>
                "The declared residence is in a commune where no living parent has permanent residence; a child is registered at a parent's residence.",
            _ => null,
        };

        if (reason is null)
            await context.PublishConfirmedAsync(new BirthParentsVerified(declared.DossierId));
        else
            await context.PublishConfirmedAsync(new DossierRejected(declared.DossierId, PopulationApi.Agency, "parents-verification", reason));
    }
}

/// <summary>Issues the child's personal ID and registers permanent residence, once per dossier.</summary>
public sealed class BirthRegisteredConsumer(PopulationDb db) : IConsumer<BirthRegistered>
{
    public async Task Consume(ConsumeContext<BirthRegistered> context)
    {
        var birth = context.Message;
        if (await db.Citizens.AnyAsync(c => c.BirthDossierId == birth.DossierId, context.CancellationToken))
            return; // Already issued; the outbox sent (or will send) the event.

        var commune = SyntheticProvince.FindCommune(birth.Residence.CommuneCode)
            ?? throw new InvalidOperationException("The residence commune is unknown; civil status validates it at submission.");
        var year = birth.ChildDateOfBirth.Year;
        var prefix = PersonalId.Create(SyntheticProvince.HubProvinceCode, birth.ChildSex, year, 0).Value[..6];
        var serial = await db.NextSerialAsync(prefix,
            async candidate =>
            {
                var id = PersonalId.Create(SyntheticProvince.HubProvinceCode, birth.ChildSex, year, candidate);
                return await db.Citizens.AnyAsync(c => c.PersonalId == id, context.CancellationToken);
            },
            context.CancellationToken);

        var child = new Citizen
        {
            PersonalId = PersonalId.Create(SyntheticProvince.HubProvinceCode, birth.ChildSex, year, serial),
            FullName = birth.ChildFullName,
            DateOfBirth = birth.ChildDateOfBirth,
            Sex = birth.ChildSex,
            PermanentAddress = $"{birth.Residence.Street}, {commune.Name}, {commune.District}, {commune.Province}",
            CommuneCode = commune.Code,
            BirthDossierId = birth.DossierId,
        };
        db.Citizens.Add(child);
        db.PublishOnCommit(new ChildPersonalIdIssued(birth.DossierId, child.PersonalId, child.FullName, child.DateOfBirth, child.PermanentAddress, commune.Code));
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
