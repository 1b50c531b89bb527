using LgspHub.AgencyDefaults;
using LgspHub.HealthInsurance;
using LgspHub.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgencyDefaults();
builder.AddAgencyDatabase<HealthInsuranceDb>(HealthInsuranceApi.Agency);
builder.AddMessaging(HealthInsuranceApi.Agency);
builder.AddHealthInsuranceApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<HealthInsuranceDb, Card>(HealthInsuranceDb.Seed);
app.MapAgencyEndpoints();
app.MapHealthInsuranceApi();
app.Run();
