/// The baselines `evaluate --baselines` runs, in table order, with session-rec's rsc15
/// parameters (each type's defaults).
public enum BaselineSuite {
    public static func all(index: TrainingIndex) -> [any SessionBaseline] {
        [
            PopularityBaseline(index: index),
            AssociationRulesBaseline(index: index),
            SequentialRulesBaseline(index: index),
            SessionKNNBaseline(index: index),
            VectorSessionKNNBaseline(index: index),
            STANBaseline(index: index),
            VSTANBaseline(index: index),
        ]
    }
}
