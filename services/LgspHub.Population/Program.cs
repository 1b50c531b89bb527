using LgspHub.AgencyDefaults;
using LgspHub.Messaging;
using LgspHub.Population;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgencyDefaults();
builder.AddAgencyDatabase<PopulationDb>(PopulationApi.Agency);
builder.AddMessaging(PopulationApi.Agency);
builder.AddAgencyOpenApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<PopulationDb, Citizen>(PopulationDb.Seed);
app.MapAgencyEndpoints();
app.MapPopulationApi();
app.Run();
