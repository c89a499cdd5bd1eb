//! Every numeric parameter the scenario language knows: its key, default, range, unit and
//! meaning. The loader, `truce check`, the docs test and the model all read this one table.

/// Which actors a per-actor parameter acts on; used to warn about parameters with no effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesTo {
    All,
    Belligerents,
    Attacker,
    Defender,
    /// Actors that give aid (role `patron`).
    Patrons,
    /// Anyone but the attacker (sanctions are applied to the attacker).
    NotAttacker,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub key: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
    pub applies: AppliesTo,
    pub doc: &'static str,
}

const INF: f64 = f64::INFINITY;

/// The largest magnitude any parameter may take, whatever its range: far beyond every real
/// value (the area of Ukraine is 6·10⁵ km²), and small enough that a month's arithmetic on such
/// values never overflows to infinity. Draws and event effects are kept within ±MAGNITUDE too.
pub const MAGNITUDE: f64 = 1e9;

const fn f(key: &'static str, default: f64, min: f64, max: f64, unit: &'static str, doc: &'static str) -> FieldDef {
    FieldDef { key, default, min, max, unit, applies: AppliesTo::All, doc }
}

const fn a(key: &'static str, default: f64, min: f64, max: f64, unit: &'static str, applies: AppliesTo, doc: &'static str) -> FieldDef {
    FieldDef { key, default, min, max, unit, applies, doc }
}

/// Declares the fixed sections' keys once: a `const` table of `FieldDef`s per section (what the
/// loader, `truce check`, the docs and the docs test read) and `SectionSlots`, a field per key
/// holding where the model finds its value in the parameter vector. `locate` is given each key's
/// path (`battlefield.gain_mean`).
macro_rules! section_keys {
    ($($table:ident $section:literal [$($key:ident = ($default:expr, $min:expr, $max:expr, $unit:expr, $doc:expr)),* $(,)?])*) => {
        $(pub const $table: &[FieldDef] = &[$(f(stringify!($key), $default, $min, $max, $unit, $doc)),*];)*

        /// Where each fixed section's key sits in the parameter vector.
        #[derive(Debug, Clone)]
        pub struct SectionSlots {
            $($(pub $key: usize,)*)*
        }

        impl SectionSlots {
            pub fn locate(at: impl Fn(&str) -> usize) -> SectionSlots {
                SectionSlots { $($($key: at(concat!($section, ".", stringify!($key))),)*)* }
            }
        }

        /// Each fixed section's key by its path (`PATH.gain_mean` is `"battlefield.gain_mean"`):
        /// code outside the schema names a parameter through it, so a misspelt one does not compile.
        #[derive(Debug, Clone, Copy)]
        pub struct SectionPaths {
            $($(pub $key: &'static str,)*)*
        }

        pub const PATH: SectionPaths = SectionPaths { $($($key: concat!($section, ".", stringify!($key)),)*)* };
    };
}

/// Declares the per-actor keys once: `ACTOR` and `ActorKeySlots` (located by key, which the
/// caller prefixes with `actors.<id>.`).
macro_rules! actor_keys {
    ($($key:ident = ($default:expr, $min:expr, $max:expr, $unit:expr, $applies:expr, $doc:expr)),* $(,)?) => {
        pub const ACTOR: &[FieldDef] = &[$(a(stringify!($key), $default, $min, $max, $unit, $applies, $doc)),*];

        /// Where one actor's values of each `ACTOR` key sit in the parameter vector.
        #[derive(Debug, Clone)]
        pub struct ActorKeySlots {
            $(pub $key: usize,)*
        }

        impl ActorKeySlots {
            pub fn locate(at: impl Fn(&str) -> usize) -> ActorKeySlots {
                ActorKeySlots { $($key: at(stringify!($key)),)* }
            }
        }

        /// Each per-actor key by name (`ACTOR_KEY.patience` is `"patience"`), for paths
        /// `actors.<id>.<key>` (`actor_path`) named outside the schema.
        #[derive(Debug, Clone, Copy)]
        pub struct ActorKeyNames {
            $(pub $key: &'static str,)*
        }

        pub const ACTOR_KEY: ActorKeyNames = ActorKeyNames { $($key: stringify!($key),)* };
    };
}

/// Declares the named settings once: `ENUMS` (section, key, names, default, meaning; stored as
/// the index of the name) and `SettingSlots`, named for what the model reads.
macro_rules! setting_keys {
    ($($slot:ident = ($section:literal, $key:literal, $names:expr, $default:expr, $doc:expr)),* $(,)?) => {
        pub const ENUMS: &[(&str, &str, &[&str], usize, &str)] = &[$(($section, $key, $names, $default, $doc)),*];

        /// Where each named setting sits in the parameter vector.
        #[derive(Debug, Clone)]
        pub struct SettingSlots {
            $(pub $slot: usize,)*
        }

        impl SettingSlots {
            pub fn locate(at: impl Fn(&str) -> usize) -> SettingSlots {
                SettingSlots { $($slot: at(concat!($section, ".", $key)),)* }
            }
        }

        /// Each named setting's path by its slot (`SETTING_PATH.beliefs`).
        #[derive(Debug, Clone, Copy)]
        pub struct SettingPaths {
            $(pub $slot: &'static str,)*
        }

        pub const SETTING_PATH: SettingPaths = SettingPaths { $($slot: concat!($section, ".", $key),)* };
    };
}

/// The path `actors.<id>.<key>` of one actor's key (`ACTOR_KEY`), or of `ideal.<issue>` and
/// `salience.<issue>`.
pub fn actor_path(id: &str, key: &str) -> String {
    format!("actors.{id}.{key}")
}

/// A `--set` argument `PATH=VALUE` (value written as TOML: a number, or `"name"` for a setting).
pub fn set(path: &str, value: impl std::fmt::Display) -> String {
    format!("{path}={value}")
}

use AppliesTo::*;

// `[actors.<id>]` numeric parameters (besides `ideal.<issue>` and `salience.<issue>`), and the
// slots an actor's values sit in (`ActorKeySlots`).
#[rustfmt::skip]
actor_keys! {
    capability = (1.0, 0.0, INF, "", All, "bargaining weight in the compromise; for belligerents also fighting strength"),
    patience = (0.95, 0.0, 0.999, "per month", All, "monthly discount factor; its planning horizon is 1/(1 − patience) months"),
    risk = (1.0, 0.1, 10.0, "", All, "exponent of its loss in distance from its ideal (1 linear, 2 quadratic: averse to large losses)"),
    endurance = (1.0, 0.0, INF, "endurance units", All, "resolve: the stock of endurance it starts with; at zero a belligerent gives way, a patron stops aiding"),
    drain = (0.01, 0.0, INF, "per month", All, "endurance used per month of fighting at intensity 1 (belligerents) or per unit of aid (patrons)"),
    cost_weight = (1.0, 0.0, INF, "", All, "how heavily the monthly cost of fighting on (drain as a share of remaining endurance) weighs against a deal"),
    bias = (0.0, -10.0, 10.0, "sd of monthly gains", All, "misperception of the battlefield trend (+ sees Russia gaining faster than it is)"),
    noise = (0.5, 0.0, 10.0, "sd of monthly gains", All, "noise in its reading of each month's front change"),
    prior_weight = (6.0, 0.0, 1000.0, "months", All, "how many months of evidence its prior belief about the trend is worth (larger learns slower)"),
    volatility = (0.02, 0.0, INF, "utility", All, "sd of a random swing in its acceptance margin each time it decides (erratic choices)"),
    commitment_doubt = (0.1, 0.0, 1.0, "probability", All, "perceived chance that a deal it signs will not be honoured; discounts any deal"),
    demand_rate = (0.05, 0.0, 1.0, "per month", All, "how fast its demands rise with battlefield success and fall with cost"),
    aid = (0.0, 0.0, 10.0, "× 2024 flow", Patrons, "military aid and intelligence to its client (1 = its 2024 average monthly flow)"),
    aid_effect = (0.5, 0.0, 10.0, "", Patrons, "fighting strength one unit of aid adds to the client, relative to the client's own capability"),
    fatigue = (0.0, 0.0, 10.0, "per year of aid", Patrons, "aid fatigue: effective aid = aid / (1 + fatigue × years of aid given)"),
    sanctions = (0.0, 0.0, 1.0, "0–1", NotAttacker, "sanctions it applies to the attacker"),
    sanction_effect = (0.002, 0.0, 1.0, "per month", NotAttacker, "extra monthly endurance drain of the attacker per unit of its sanctions"),
    offensive = (1.0, 0.0, 5.0, "× 2024 tempo", Attacker, "offensive intensity"),
    mobilisation = (1.0, 0.0, 5.0, "× 2024 level", Defender, "mobilisation: multiplies fighting strength and drain"),
    pressure = (0.0, 0.0, 10.0, "utility", All, "how hard it presses others along its links when it wants a deal they refuse"),
    followthrough = (0.3, 0.0, 1.0, "probability", All, "chance it carries out a threat (aid pause, secondary sanctions) after a refusal"),
    horizon = (0.0, 0.0, 600.0, "months", All, "months ahead it weighs when it compares a deal with fighting on (0: 1/(1 − patience), at most 120; rounded to whole months)"),
    rival_bias = (0.0, -0.9, 10.0, "share", All, "misperception of the other side's endurance (+0.5: believes the enemy can hold out 50% longer than it can; − : expects it to give way sooner)"),
    win_belief = (0.5, 0.0, 1.0, "probability", All, "with battlefield.decisive_hazard > 0: its subjective chance that a decisive battle goes to the attacker"),
    war_cost = (0.0, 0.0, INF, "utility per month", All, "a cost of fighting on, in utility per month, besides the bite of its endurance drain (Fearon's c)"),
    prior_mean = (0.5, 0.0, 1.0, "probability", All, "with beliefs = \"beta\": its prior mean of the attacker's chance of winning a monthly battle (weight: prior_weight)"),
}

/// Per-issue actor parameters: `actors.<id>.ideal.<issue>` and `actors.<id>.salience.<issue>`.
pub const IDEAL: FieldDef = f("ideal", 0.5, 0.0, 1.0, "0–1", "its most preferred position on the issue (1 = Russia's maximal demand)");
pub const SALIENCE: FieldDef =
    f("salience", 1.0, 0.0, INF, "weight", "how much it cares about the issue; an actor's saliences are normalised to sum to 1");

/// `[issues.<id>]`.
#[rustfmt::skip]
pub const ISSUE: &[FieldDef] = &[f(
    "status_quo",
    0.0,
    0.0,
    1.0,
    "0–1",
    "the issue's value while it is unresolved (the territory issue uses the line of control instead)",
)];

// The fixed sections' numeric keys, and the slots the model reads them through
// (`SectionSlots`, one field per key: section keys are unique across sections).
#[rustfmt::skip]
section_keys! {
    TERRITORY "territory" [
        ukraine_km2 = (603_628.0, 1.0, INF, "km²", "area of Ukraine within its 1991 borders"),
        claimed_km2 = (135_800.0, 1.0, INF, "km²", "area Russia claims (Crimea and the four oblasts); the territory issue's 1"),
        start_km2 = (116_505.0, 0.0, INF, "km²", "Russian-held area at the start"),
    ]
    BATTLEFIELD "battlefield" [
        gain_mean = (312.0, -INF, INF, "km²/month", "mean monthly net Russian gain when the balance of strength is 1"),
        gain_sd = (207.0, 0.0, INF, "km²/month", "standard deviation of the monthly net gain"),
        gain_ar = (0.3, 0.0, 0.99, "", "month-to-month autocorrelation of the gain's random part"),
        gain_drift = (0.0, 0.0, INF, "km²/month per month", "sd of a monthly random-walk change in the mean gain (a wandering trend; 0: the mean stays put)"),
        elasticity = (1.0, 0.0, 10.0, "", "how the mean gain scales with the balance of strength: gain_mean × balance^elasticity"),
        breakthrough_hazard = (0.005, 0.0, 1.0, "per month", "chance of an attacker breakthrough per month at balance 1 and full defender endurance"),
        breakthrough_km2 = (3000.0, 0.0, INF, "km²", "area gained in a breakthrough"),
        breakthrough_shock = (0.1, 0.0, INF, "endurance units", "defender endurance lost in a breakthrough"),
        fragility = (2.0, 0.0, 100.0, "", "how much faster breakthroughs come as the defender's endurance runs down"),
        counter_hazard = (0.003, 0.0, 1.0, "per month", "chance of a successful defender counter-offensive per month at balance 1"),
        counter_km2 = (2500.0, 0.0, INF, "km²", "area retaken in a counter-offensive"),
        counter_shock = (0.05, 0.0, INF, "endurance units", "attacker endurance lost in a counter-offensive"),
        forts_positions = (10.0, 2.0, 100000.0, "positions", "with model = \"forts\": the number of positions N; the war ends at 0 or N"),
        forts_start = (5.0, 1.0, 99999.0, "positions", "with model = \"forts\": the starting position k (the attacker needs N − k more wins than losses)"),
        forts_p = (0.5, 0.0, 1.0, "probability", "with model = \"forts\": the attacker's chance of winning each monthly battle"),
        peace_drain = (0.2, 0.0, 1.0, "share", "share of the wartime drain that goes on under a ceasefire or settlement"),
        decisive_hazard = (0.0, 0.0, 1.0, "per month", "the chance, as every actor perceives it, that a decisive battle ends the war outright in a month (won by the attacker with the actor's win_belief); 1 with horizon 1 is Fearon's war lottery"),
    ]
    HAZARDS "hazards" [
        escalation = (0.0005, 0.0, 1.0, "per month", "base monthly chance of a direct NATO–Russia military clash while at war"),
        escalation_per_aid = (0.5, 0.0, 100.0, "per unit aid", "relative rise of the escalation hazard per unit of total aid"),
    ]
    NEGOTIATION "negotiation" [
        opening_round = (0.0, 0.0, 1.0, "probability", "chance of a round of talks at the start, before any fighting"),
        talks_rate = (0.4, 0.0, 1.0, "per month", "chance that a round of talks is held in a month"),
        proposal_noise = (0.05, 0.0, 1.0, "0–1", "sd of the noise added to each term of a proposal"),
        proposer_pull = (0.2, 0.0, 1.0, "share", "how far a proposal is pulled from the compromise toward the proposer's ideal"),
        ceasefire_fallback = (0.3, 0.0, 1.0, "probability", "under `package`, chance a failed package is followed the same month by a ceasefire offer"),
        blame = (1.0, 0.0, 10.0, "", "extra pressure (multiplier − 1) the mediator puts on the side it blames for the deadlock"),
        mediator_patience = (6.0, 1.0, 600.0, "months", "rounds without progress the mediator tolerates before it may walk away"),
        walkaway = (0.3, 0.0, 1.0, "probability", "chance the mediator walks away once its patience is exhausted (checked each further failed round)"),
        abandon = (0.3, 0.0, 1.0, "probability", "chance that walking away carries the abandonment of its client (its aid stops for good)"),
        rate_after_walkaway = (0.25, 0.0, 1.0, "share", "talks_rate is multiplied by this once the mediator has walked away"),
        cut_months = (2.0, 0.0, 120.0, "months", "how long an aid pause carried out as a threat lasts"),
        sanction_step = (0.1, 0.0, 1.0, "0–1", "rise of a patron's sanctions when it carries out a secondary-sanctions threat"),
        return_rate = (0.0, 0.0, 1.0, "per month", "chance each month that a mediator that walked away comes back (and its client's aid resumes)"),
        switch_after = (0.0, 0.0, 600.0, "rounds", "under `stepwise`, failed rounds after which the mediator moves to package talks (0: never)"),
    ]
    POSTDEAL "postdeal" [
        ceasefire_hazard = (0.03, 0.0, 1.0, "per month", "base monthly chance that a ceasefire breaks down"),
        settlement_hazard = (0.005, 0.0, 1.0, "per month", "base monthly chance that a settlement breaks down"),
        unresolved_effect = (1.0, 0.0, 100.0, "", "relative rise of the hazard with the salience-weighted share of issues left open"),
        guarantee_effect = (0.5, 0.0, 1.0, "share", "relative fall of the hazard with strong guarantees (guarantees term 0)"),
        relapse_to_war = (0.5, 0.0, 1.0, "probability", "chance that a settlement that breaks down means war again; otherwise its political terms lapse and a ceasefire on the line remains"),
        reversal_hazard = (0.1, 0.0, 1.0, "probability", "extra chance of breakdown in a month listed in `reversal_dates` (a US policy reversal)"),
    ]
}

/// Named values of enumerated settings; stored as their index in the parameter vector so that
/// events can switch them.
pub const PROTOCOLS: &[&str] = &["package", "stepwise"];

// Named settings, stored as the index of the name so that events can switch them.
#[rustfmt::skip]
setting_keys! {
    protocol = ("negotiation", "protocol", PROTOCOLS, 0, "the negotiation protocol: `package` (all issues at once) or `stepwise` (a ceasefire first)"),
    proposer_mode = ("negotiation", "proposer", &["compromise", "informed"], 0, "how proposals are made: `compromise` (the weighted compromise pulled toward the proposer) or `informed` (the proposer knows every side's threshold and offers the middle of the bargaining range when there is one)"),
    battlefield_model = ("battlefield", "model", &["contest", "forts"], 0, "the battlefield: `contest` (a stochastic contest of strength, in km²) or `forts` (a random walk over positions, Smith and Stam's model)"),
    beliefs_model = ("battlefield", "beliefs", &["normal", "beta"], 0, "how actors learn: `normal` (the mean monthly front change) or `beta` (the attacker's chance of winning a battle, from battle outcomes)"),
}
pub const ROLES: &[&str] = &["attacker", "defender", "patron", "observer"];
pub const LINK_KINDS: &[&str] = &["aid", "intelligence", "sanctions", "leverage", "alignment"];
pub const DEAL_KINDS: &[&str] = &["package", "ceasefire"];

/// Sections with a fixed list of numeric keys, by name.
pub const SECTIONS: &[(&str, &[FieldDef])] =
    &[("territory", TERRITORY), ("battlefield", BATTLEFIELD), ("hazards", HAZARDS), ("negotiation", NEGOTIATION), ("postdeal", POSTDEAL)];

/// Keys of each table that are not numeric parameters.
pub const SCENARIO_KEYS: &[&str] = &["name", "title", "description", "start", "horizon_months", "extends"];
pub const ACTOR_TEXT_KEYS: &[&str] = &["name", "name_zh", "role", "patron_of", "ideal", "salience"];
pub const ISSUE_TEXT_KEYS: &[&str] = &["name", "name_zh", "label0", "label1", "label0_zh", "label1_zh"];
pub const NEGOTIATION_TEXT_KEYS: &[&str] = &["protocol", "proposer", "mediator", "signatories"];
pub const BATTLEFIELD_TEXT_KEYS: &[&str] = &["model", "beliefs"];
pub const POSTDEAL_TEXT_KEYS: &[&str] = &["reversal_dates"];
pub const TERRITORY_TEXT_KEYS: &[&str] = &["history"];
pub const EVENT_KEYS: &[&str] =
    &["id", "label", "kind", "date", "month", "probability", "recurring", "until", "when", "effects", "trust", "months"];
/// `events.<id>.trust` of a technical deal and `events.<id>.months` of a short truce.
pub const EVENT_TRUST: FieldDef =
    f("trust", 0.2, 0.0, 1.0, "share", "share by which a technical deal lowers every signatory's commitment doubt");
pub const EVENT_MONTHS: FieldDef =
    f("months", 1.0, 1.0, 12.0, "months", "months a short truce keeps the front quiet (whole months, the month it fires included)");
/// Kinds of event: a plain event (its effects), a technical deal, a short truce (MODEL.md §4.6).
pub const EVENT_KINDS: &[&str] = &["event", "technical_deal", "short_truce"];
pub const EFFECT_KEYS: &[&str] = &["set", "scale", "add", "value", "by"];
pub const PROPOSAL_KEYS: &[&str] = &["id", "label", "date", "month", "by", "kind", "terms"];
pub const LINK_KEYS: &[&str] = &["from", "to", "kind", "weight"];
pub const TOP_KEYS: &[&str] =
    &["scenario", "territory", "issues", "actors", "links", "negotiation", "battlefield", "hazards", "postdeal", "events", "proposals"];

/// Paths of model state that event conditions may read besides parameters.
pub const STATE_PATHS: &[&str] = &[
    "state.month",
    "state.line",
    "state.area_km2",
    "state.at_war",
    "state.ceasefire",
    "state.settled",
    "state.walked_away",
    "state.abandoned",
    "state.breakdowns",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated path tables name exactly the declared keys, section by section.
    #[test]
    fn the_path_tables_are_the_declared_keys() {
        assert_eq!(PATH.gain_mean, "battlefield.gain_mean");
        assert_eq!(PATH.start_km2, "territory.start_km2");
        assert_eq!(SETTING_PATH.beliefs_model, "battlefield.beliefs");
        assert_eq!(ACTOR_KEY.win_belief, "win_belief");
        assert_eq!(actor_path("us", ACTOR_KEY.patience), "actors.us.patience");
        assert_eq!(set(PATH.forts_p, 0.5), "battlefield.forts_p=0.5");
        // Every declared key has its path in PATH (the Debug text lists the fields in order).
        let listed = format!("{PATH:?}");
        let declared: Vec<String> = SECTIONS.iter().flat_map(|(s, keys)| keys.iter().map(move |k| format!("\"{s}.{}\"", k.key))).collect();
        let n = listed.matches(": \"").count();
        assert_eq!(n, declared.len(), "{listed}");
        for d in &declared {
            assert!(listed.contains(d.as_str()), "{d} is not in PATH");
        }
        let actor = format!("{ACTOR_KEY:?}");
        assert_eq!(actor.matches(": \"").count(), ACTOR.len());
        for (section, key, ..) in ENUMS {
            assert!(format!("{SETTING_PATH:?}").contains(&format!("\"{section}.{key}\"")));
        }
    }
}
