using LgspHub.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LgspHub.ServiceDefaults;

/// <summary>The conventions every agency's database shares: personal IDs stored as their 12 digits.</summary>
public abstract class AgencyDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<PersonalId>().HaveConversion<PersonalIdConverter>().HaveMaxLength(PersonalId.Length);

    private sealed class PersonalIdConverter() : ValueConverter<PersonalId, string>(id => id.Value, value => PersonalId.Parse(value, null));
}
